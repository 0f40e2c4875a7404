"""Diagnostics report exactly what a layer does, and cost the train step nothing."""

import chex
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jax_ae.datasets import augment
from jax_ae.models import layers
from jax_ae.models import losses
from jax_ae.models import networks
from jax_ae.models import tasks
from jax_ae.training import diagnostics
from jax_ae.training import epoch_end
from jax_ae.training import steps
from jax_ae.training import train_loops
from jax_ae.workdir import run_files
from jax_ae.workdir import tensorboard_events
from tests.helpers import new_train_state, tiny_config


class _Probe(nn.Module):
  """Dense(4) -> ReLU -> BatchNorm: an autoencoder of 4 pixels whose unit 0 is dead."""

  @nn.compact
  def __call__(self, x, train=False):
    hidden = layers.relu(self, nn.Dense(4, name='hidden')(x))
    return layers.TorchBatchNorm(name='norm')(hidden, train)

  def outputs(self, x, train=False):
    return {'output': self(x, train)}


def _probe_state(make_key):
  model = _Probe()
  variables = model.init(make_key(), jnp.zeros((2, 4)))
  # Unit 0: always -1, so dead. Units 1 and 3: multiples of the inputs' sum, alive
  # and varying. Unit 2: always +1, alive but constant: a batch variance of exactly 0.
  params = {'hidden': {'kernel': jnp.array([[0., 1., 0., 2.]] * 4),
                       'bias': jnp.array([-1., 0., 1., 0.])}}
  return steps.TrainState.create(apply_fn=model.apply, params=params,
                                 batch_stats=variables['batch_stats'], tx=optax.adam(1e-3))


def test_a_dead_unit_and_a_zero_variance_feature_are_reported_exactly(make_key):
  state = _probe_state(make_key)
  batch = {'image': jax.random.uniform(make_key(), (16, 4))}
  measured = jax.jit(diagnostics.measure, static_argnums=3)(state, batch, make_key(),
                                                            losses.Loss(tasks.RECONSTRUCT))
  np.testing.assert_allclose(measured['dead_relu_fraction/model'], 1 / 4)
  assert int(measured['bn_tiny_variance_features/norm']) == 2  # units 0 and 2
  assert float(measured['bn_min_variance/norm']) == 0.0
  # Unit 0 normalises 0 / sqrt(1e-5); unit 1 reaches the largest |z-score| of its batch.
  assert float(measured['bn_max_abs_output/norm']) > 1.0
  assert set(name for name in measured if name.startswith('grad_norm/')) == {'grad_norm/hidden'}
  assert float(measured['update_ratio/hidden']) > 0


def test_a_saturated_sigmoid_code_is_reported(make_key):
  config = tiny_config('v3')
  state = new_train_state(config, make_key(), 10)
  # Scaling the code layer's weights pins the sigmoid code at 0 or 1.
  params = jax.tree_util.tree_map_with_path(
      lambda path, leaf: leaf * 1e4 if 'encoder_code' in jax.tree_util.keystr(path) else leaf,
      state.params)
  batch = {'image': jax.random.uniform(make_key(), (8, 784))}
  measure = jax.jit(diagnostics.measure, static_argnames=('loss', 'sigmoid_code'))
  key = make_key()
  saturated = measure(state.replace(params=params), batch, key, losses.Loss(tasks.RECONSTRUCT),
                      sigmoid_code=True)
  plain = measure(state, batch, key, losses.Loss(tasks.RECONSTRUCT), sigmoid_code=True)
  assert float(saturated['code_saturation']) > 0.9
  assert float(plain['code_saturation']) < 0.5


@pytest.mark.slow
def test_diagnostics_measure_the_gradient_the_train_step_takes(make_key):
  # A loss term (edge_weight), augmentation (shifts) and dropout-free BatchNorm:
  # every part of the step that the task's plain loss leaves out. V5: BatchNorm, and
  # dense layers that compile in a fraction of a conv network's time.
  config = tiny_config('v5')
  config.optim.edge_weight = 1.0
  config.augment.max_shift = 2
  state = new_train_state(config, make_key(), 10)
  batch = {'image': jax.random.uniform(make_key(), (8, 784)),
           'label': jax.random.randint(make_key(), (8,), 0, 10)}
  key = make_key()
  augmentation, loss = augment.from_config(config.augment), losses.from_config(config)
  _, trained = jax.jit(steps.train_step, static_argnums=(3, 4))(
      state, batch, key, loss, augmentation)
  measured = jax.jit(diagnostics.measure, static_argnums=(3, 4))(
      state, batch, key, loss, augmentation)
  per_layer = [value for name, value in measured.items() if name.startswith('grad_norm/')]
  np.testing.assert_allclose(jnp.sqrt(sum(jnp.square(norm) for norm in per_layer)),
                             trained['grad_norm'], rtol=1e-5)
  np.testing.assert_allclose(measured['loss'], trained['loss'], rtol=1e-6)
  assert float(measured['minimised_loss']) > float(measured['loss'])  # the edge term is in


@pytest.mark.slow
def test_the_train_step_compiles_to_the_same_program_as_without_sow(make_key, monkeypatch):
  config = tiny_config('v5')  # BatchNorm everywhere, and a ReLU between layers
  state = new_train_state(config, make_key(), 10)
  batch = {'image': jax.random.uniform(make_key(), (8, 784))}
  key = make_key()

  def program():
    return jax.jit(steps.train_step, static_argnums=3).lower(
        state, batch, key, losses.Loss(tasks.RECONSTRUCT)).as_text()

  with_sow = program()
  monkeypatch.setattr(nn.Module, 'sow', lambda self, *args, **kwargs: False)
  jax.clear_caches()
  assert program() == with_sow


def _split(make_key, num_examples):
  return {'image': jax.random.uniform(make_key(), (num_examples, 784)),
          'label': jax.random.randint(make_key(), (num_examples,), 0, 10)}


@pytest.mark.slow
@pytest.mark.parametrize('loop', ('python', 'scan'))
def test_diagnostics_every_n_steps_leave_training_exactly_as_without(loop, make_key):
  split = _split(make_key, 48)  # 6 steps of 8 per epoch
  config = tiny_config('v4')
  config.train.loop = loop
  config.train.steps_per_call = 2

  def run(every_steps):
    config.diagnostics.every_steps = every_steps
    trainer = train_loops.Trainer(config, split)
    state = trainer.create_state()
    for epoch in (1, 2):
      state, _ = trainer.train_epoch(state, steps.shuffle_key(0, epoch))
    return trainer, state

  plain_trainer, plain = run(0)
  trainer, measured = run(4)
  chex.assert_trees_all_equal(jax.device_get(plain.params), jax.device_get(measured.params))
  chex.assert_trees_all_equal(jax.device_get(plain.batch_stats),
                              jax.device_get(measured.batch_stats))
  rows = trainer.take_diagnostics()
  # The initial state, then the first call boundary at or past each multiple of 4 of the
  # 12 steps: the python loop's calls end at every step, the scan loop's at every second.
  assert [row['step'] for row in rows] == [0, 4, 8, 12]
  assert trainer.take_diagnostics() == []  # taken once
  assert plain_trainer.take_diagnostics() == []
  assert {'dead_relu_fraction/decoder_layers_0', 'bn_min_running_variance/decoder_norms_0',
          'grad_norm/encoder_code', 'update_ratio/decoder_output'} <= set(rows[-1])
  assert all(np.isfinite(value) for row in rows for value in row.values())


def test_diagnostics_rows_keep_one_per_step_and_draw_a_picture(tmp_path):
  run = run_files.RunFiles(str(tmp_path))
  events = tensorboard_events.EventWriter(str(tmp_path))
  config = tiny_config('v4')
  epoch_end.write_diagnostics(
      run, events, [{'step': 0, 'grad_norm/a': 1.0}, {'step': 4, 'grad_norm/a': 2.0}], config)
  # An epoch redone after a crash measures step 4 again: its later row is kept.
  epoch_end.write_diagnostics(
      run, events, [{'step': 4, 'grad_norm/a': 3.0}, {'step': 8, 'grad_norm/a': float('nan')}],
      config)
  rows = run.read_diagnostics()
  assert [row['step'] for row in rows] == [0, 4, 8]
  assert rows[1]['grad_norm/a'] == 3.0 and np.isnan(rows[2]['grad_norm/a'])
  assert (tmp_path / 'diagnostics.png').read_bytes().startswith(b'\x89PNG')


def test_initialising_a_model_leaves_no_diagnostics_collection(make_key):
  config = tiny_config('v5')  # ReLUs and BatchNorms, which record only when asked
  model = networks.create_model(config.model)
  for train_mode in (False, True):
    variables = jax.eval_shape(  # traced, not run: the collections are what matter
        lambda key, mode=train_mode: model.init(key, jnp.zeros((4, 784)), train=mode), make_key())
    assert set(variables) == {'params', 'batch_stats'}
