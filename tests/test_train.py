"""The train and eval steps, the schedule, and the epoch loop, on synthetic data."""

from typing import Any

import chex
import flax
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jax_ae.datasets import augment
from jax_ae.models import losses
from jax_ae.models import networks
from jax_ae.models import tasks
from jax_ae.training import epoch_end
from jax_ae.training import held_out
from jax_ae.training import steps
from jax_ae.training import train_loops
from jax_ae.workdir import checkpoint
from tests import float64
from tests.helpers import new_train_state, step_each_way, ALL_MODELS, NanGradientLoss, tiny_config


def _synthetic_split(key, num_examples):
  image_key, label_key = jax.random.split(key)
  return {'image': np.asarray(jax.random.uniform(image_key, (num_examples, 784))),
          'label': np.asarray(jax.random.randint(label_key, (num_examples,), 0, 10))}


# Worked by hand: transition_epochs * steps_per_epoch steps per decay, rounded to the
# nearest whole step and at least 1, and the rate held between decays.
@pytest.mark.parametrize(
    'learning_rate, decay_rate, transition_epochs, steps_per_epoch, step, expected', [
        (0.1, 0.5, 2.0, 10, 0, 0.1),  # 20 steps per decay
        (0.1, 0.5, 2.0, 10, 19, 0.1),
        (0.1, 0.5, 2.0, 10, 20, 0.05),
        (0.1, 0.5, 2.0, 10, 45, 0.025),
        (1.0, 0.5, 1.6, 3, 4, 1.0),  # 4.8 steps round up to 5, not down to 4
        (1.0, 0.5, 1.6, 3, 5, 0.5),
        (1.0, 0.5, 1.4, 3, 4, 0.5),  # 4.2 steps round down to 4, not up to 5
        (1.0, 0.5, 1.4, 3, 8, 0.25),
        (0.8, 0.5, 0.01, 10, 3, 0.1),  # 0.1 steps round to 0, raised to 1: a decay per step
    ])
def test_staircase_schedule_is_init_times_rate_to_floor(learning_rate, decay_rate,
                                                        transition_epochs, steps_per_epoch, step,
                                                        expected):
  config = tiny_config()
  config.optim.learning_rate = learning_rate
  config.optim.decay_rate = decay_rate
  config.optim.transition_epochs = transition_epochs
  config.optim.staircase = True
  schedule = steps.create_learning_rate_fn(config.optim, steps_per_epoch, 100)
  np.testing.assert_allclose(schedule(step), expected, rtol=1e-6)


def test_v3_config_halves_the_rate_every_50_epochs():
  from configs import v3  # pylint: disable=import-outside-toplevel
  schedule = steps.create_learning_rate_fn(v3.get_config().optim, 1875, 150)
  for epoch, expected in ((0, 1e-3), (49, 1e-3), (50, 5e-4), (100, 2.5e-4), (149, 2.5e-4)):
    np.testing.assert_allclose(schedule(epoch * 1875 + 1874 * (epoch % 50 == 49)), expected,
                               rtol=1e-6)


def test_continuous_schedule_when_not_staircase():
  config = tiny_config()
  config.optim.decay_rate = 0.5
  config.optim.transition_epochs = 2.0
  config.optim.staircase = False
  schedule = steps.create_learning_rate_fn(config.optim, 10, 5)
  np.testing.assert_allclose(schedule(10), 1e-3 * 0.5 ** 0.5, rtol=1e-6)


# Worked by hand: 10 steps per epoch, 5 epochs, 1 epoch of warm-up from 0 to 2e-3, then
# 2e-3 * (1 + cos(pi * (step - 10) / 40)) / 2 down to 0 at step 50.
@pytest.mark.parametrize('step, expected', [
    (0, 0.0), (5, 1e-3), (10, 2e-3), (30, 1e-3), (50, 0.0), (60, 0.0),
    (20, 2e-3 * (1 + np.cos(np.pi / 4)) / 2)])
def test_cosine_schedule_warms_up_then_falls_to_zero_at_the_last_epoch(step, expected):
  config = tiny_config()
  config.optim.schedule = 'cosine'
  config.optim.learning_rate = 2e-3
  config.optim.warmup_epochs = 1.0
  schedule = steps.create_learning_rate_fn(config.optim, 10, 5)
  np.testing.assert_allclose(schedule(step), expected, rtol=1e-5, atol=1e-9)


@pytest.mark.slow
def test_the_jitted_initialisation_gives_the_eager_values_bitwise(make_key):
  config = tiny_config('v5')  # every kind of dense and BatchNorm variable
  key = make_key()
  state = new_train_state(config, key, 10)
  model = networks.create_model(config.model)
  eager = model.init(key, jnp.zeros((2, networks.IMAGE_PIXELS)), train=False)
  chex.assert_trees_all_equal({'params': state.params, 'batch_stats': state.batch_stats},
                              flax.core.unfreeze(eager))


# V5 (dense layers and every BatchNorm) in the quick lane; the rest are slow.
QUICK_AND_SLOW_MODELS = [model if model == 'v5' else pytest.param(model, marks=pytest.mark.slow)
                         for model in ALL_MODELS]


# One model per kind of layer, as an eager float64 step takes 10-60 s: V3 (dense layers,
# ReLUs, sigmoids: all V1, V2 and hinton2006 use), V5 (BatchNorm of the input and of
# features, V4's too), the CNN (convolutions, pooling, dropout, logits) and the conv
# autoencoder (upsampling).
@pytest.mark.slow
@pytest.mark.parametrize('version', ('v3', 'v5', 'cnn', 'conv_ae'))
def test_jitted_and_eager_train_steps_agree_in_float64(version, make_key):
  # In float64, so that every parameter can be compared: in float32, XLA's fused
  # rounding moves V4/V5's chaotic first step by more than a tolerance could fix.
  config = tiny_config(version)
  with float64.enabled():
    state = float64.cast(new_train_state(config, make_key(), 10))
    batch = float64.cast(_synthetic_split(make_key(), 8))
    key = make_key()
    loss = losses.from_config(config)
    eager_state, eager_metrics = steps.train_step(state, batch, key, loss)
    jit_state, jit_metrics = jax.jit(steps.train_step, static_argnums=3)(state, batch, key, loss)
  assert {leaf.dtype for leaf in jax.tree.leaves(jit_state.params)} == {np.dtype('float64')}
  chex.assert_trees_all_close(eager_metrics, jit_metrics, rtol=1e-12)
  chex.assert_trees_all_close(float64.flat(eager_state.batch_stats),
                              float64.flat(jit_state.batch_stats), rtol=1e-12, atol=1e-14)
  biases = float64.BATCHNORM_FED_BIASES.get(version, ())
  chex.assert_trees_all_close(float64.without(eager_state.params, biases),
                              float64.without(jit_state.params, biases), rtol=1e-10, atol=1e-12)


def _run_epochs(config, train_split, test_split, num_epochs=2, cast=lambda state: state):
  trainer = train_loops.Trainer(config, train_split)
  state = cast(new_train_state(config, steps.init_key(config.seed),
                                        trainer.steps_per_epoch))
  for epoch in range(1, num_epochs + 1):
    state, _ = trainer.train_epoch(state, steps.shuffle_key(config.seed, epoch))
  return trainer, state


@pytest.mark.slow
def test_same_seed_same_parameters_other_seed_differs(make_key):
  split = _synthetic_split(make_key(), 40)
  config = tiny_config('v4')
  _, first = _run_epochs(config, split, split)
  _, again = _run_epochs(config, split, split)
  jax.tree.map(np.testing.assert_array_equal, first.params, again.params)
  jax.tree.map(np.testing.assert_array_equal, first.batch_stats, again.batch_stats)
  config.seed = 1
  _, other = _run_epochs(config, split, split)
  assert not np.array_equal(first.params['encoder_code']['kernel'],
                            other.params['encoder_code']['kernel'])


@pytest.mark.parametrize('loop', ('python', 'scan'))
def test_epoch_loop_compiles_the_step_once_and_counts_steps(loop, make_key, monkeypatch):
  chex.clear_trace_counter()  # its counts are per source line, shared by both loops
  monkeypatch.setattr(steps, 'train_step', chex.assert_max_traces(steps.train_step, n=1))
  split = _synthetic_split(make_key(), 36)  # 36 // 8 = 4 steps, 4 examples dropped
  config = tiny_config('v2')
  config.train.loop = loop
  trainer = train_loops.Trainer(config, split)
  state = new_train_state(config, steps.init_key(0), trainer.steps_per_epoch)
  for epoch in (1, 2, 3):  # a second trace of train_step raises
    state, _ = trainer.train_epoch(state, steps.shuffle_key(0, epoch))
  assert trainer.steps_per_epoch == 4
  assert int(state.step) == 12


def test_each_epoch_draws_a_different_shuffle():
  first = train_loops._epoch_batch_indices(steps.shuffle_key(0, 1), 100, 10, 10)  # pylint: disable=protected-access
  second = train_loops._epoch_batch_indices(steps.shuffle_key(0, 2), 100, 10, 10)  # pylint: disable=protected-access
  assert sorted(np.asarray(first).ravel().tolist()) == list(range(100))
  assert not np.array_equal(first, second)


@pytest.mark.parametrize('version', QUICK_AND_SLOW_MODELS)
def test_a_few_steps_on_a_fixed_batch_lower_the_loss(version, make_key):
  config = tiny_config(version)
  config.model.code_dim = 10
  config.model.hidden_units = 128  # V1's and V2's width; the deeper MLPs' below
  config.model.hidden_widths = (128, 64)
  state = new_train_state(config, make_key(), 10)
  # Blurry blobs: structured enough that an autoencoder can fit them quickly.
  batch = {'image': jax.nn.sigmoid(jax.random.normal(make_key(), (16, 784)) * 3.0),
           'label': jnp.arange(16) % 10}
  step = jax.jit(steps.train_step, static_argnums=3)
  state, first = step(state, batch, make_key(), losses.from_config(config))
  for _ in range(25):
    state, metrics = step(state, batch, make_key(), losses.from_config(config))
  assert float(metrics['loss']) < 0.9 * float(first['loss'])


@pytest.mark.slow
def test_train_step_updates_input_batchnorm_by_pytorch_rule(make_key):
  state = new_train_state(tiny_config('v5'), make_key(), 10)
  images = jax.random.uniform(make_key(), (8, 784))
  new_state, _ = jax.jit(steps.train_step, static_argnums=3)(
      state, {'image': images}, make_key(), losses.Loss(tasks.RECONSTRUCT))
  stats = new_state.batch_stats['input_norm']
  images64 = np.asarray(images, np.float64)
  np.testing.assert_allclose(stats['mean'], 0.1 * images64.mean(0), rtol=1e-5, atol=1e-7)
  np.testing.assert_allclose(stats['var'], 0.9 + 0.1 * images64.var(0, ddof=1), rtol=1e-5)


@pytest.mark.slow
def test_evaluation_is_per_example_and_leaves_state_alone(make_key):
  config = tiny_config('v5')
  split = _synthetic_split(make_key(), 24)
  _, state = _run_epochs(config, split, split, num_epochs=1)
  images = jnp.asarray(split['image'][:6])
  predict = jax.jit(steps.predict)
  together = predict(state, images)
  alone = jnp.concatenate([predict(state, images[i:i + 1]) for i in range(6)])
  np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)
  stats_before = jax.tree.map(np.asarray, state.batch_stats)
  held_out.split_results(state, held_out.batch_for_evaluation(split, 5), tasks.RECONSTRUCT)
  jax.tree.map(np.testing.assert_array_equal, stats_before, state.batch_stats)


@pytest.mark.parametrize('eval_batch_size', (1, 7, 10, 64))
def test_padded_evaluation_averages_every_example_once(eval_batch_size, make_key):
  config = tiny_config('v1')
  state = new_train_state(config, make_key(), 10)
  split = _synthetic_split(make_key(), 10)
  loss = held_out.split_results(
      state, held_out.batch_for_evaluation(split, eval_batch_size), tasks.RECONSTRUCT)['loss']
  direct = jnp.mean(tasks.reconstruction_loss(steps.predict(state, split['image']),
                                              split['image']))
  np.testing.assert_allclose(loss, direct, rtol=1e-5)



def test_a_non_finite_step_leaves_the_state_unchanged(make_key):
  state = new_train_state(tiny_config('v4'), make_key(), 10)
  images = jax.random.uniform(make_key(), (8, 784)).at[3, 5].set(jnp.nan)
  new_state, metrics = jax.jit(steps.train_step, static_argnums=3)(
      state, {'image': images}, make_key(), losses.Loss(tasks.RECONSTRUCT))
  assert not np.isfinite(float(metrics['loss']))
  jax.tree.map(np.testing.assert_array_equal, (state.params, state.batch_stats, state.opt_state),
               (new_state.params, new_state.batch_stats, new_state.opt_state))
  assert int(new_state.step) == 0


def test_a_finite_loss_with_a_nan_gradient_is_applied_and_the_next_loss_is_not_finite(
    make_key):
  """The step tests the loss alone: the NaN gradient reaches the parameters, and the
  next step's loss, NaN, is what the epoch records (one step later)."""
  state = new_train_state(tiny_config('v1'), make_key(), 10)
  batch = {'image': jax.random.uniform(make_key(), (8, 784))}
  step = jax.jit(steps.train_step, static_argnums=3)
  loss = NanGradientLoss(losses.Loss(tasks.RECONSTRUCT))
  state, first = step(state, batch, make_key(), loss)
  assert np.isfinite(float(first['loss'])) and not np.isfinite(float(first['grad_norm']))
  assert (float(first['applied']), int(state.step)) == (1.0, 1)
  assert not bool(checkpoint.all_finite(state.params))
  state, second = step(state, batch, make_key(), loss)
  assert not np.isfinite(float(second['loss']))
  assert (float(second['applied']), int(state.step)) == (0.0, 1)


@pytest.mark.parametrize('loop', (pytest.param('python', marks=pytest.mark.slow), 'scan'))
@pytest.mark.parametrize('clip_norm, measured', [(0.0, [0, 2, 4]), (1.0, [0, 1, 2, 3, 4])])
def test_the_gradient_norm_is_the_mean_over_the_steps_that_measure_it(loop, clip_norm, measured,
                                                                        make_key):
  """Every train.grad_norm_every_steps steps of state.step (0, 2, 4 of an epoch's 5), and
  every step with clipping; the metrics row's grad_norm is their mean, and an epoch that
  measures none has no grad_norm."""
  config = tiny_config('v1')
  config.train.loop = loop
  config.train.grad_norm_every_steps = 2
  config.optim.clip_norm = clip_norm
  trainer = train_loops.Trainer(config, _synthetic_split(make_key(), 40))  # 5 steps of 8
  shuffle_key = steps.shuffle_key(config.seed, 1)
  # Each step alone, its norm measured: the same states, batches and keys as the epoch's.
  state, norms = trainer.create_state(), []
  batch_indices = trainer.epoch_batch_indices(shuffle_key)
  step = jax.jit(steps.train_step, static_argnums=(3, 4))
  for index in range(trainer.steps_per_epoch):
    key = steps.step_key(trainer.run_key, state.step, index)
    state, metrics = step(state, steps.epoch_batch(trainer.train_arrays, batch_indices, index),
                          key, trainer.loss, augment.from_config(config.augment))
    norms.append(float(metrics['grad_norm']))

  state, sums = trainer.train_epoch(trainer.create_state(), shuffle_key)
  assert int(sums['grad_norm_steps']) == len(measured)
  row = epoch_end.metrics_row(epoch_end.Finished(1, state, jax.device_get(sums), {}, 1.0, 0),
                              trainer)
  np.testing.assert_allclose(row['grad_norm'], np.mean([norms[index] for index in measured]),
                             rtol=1e-5)
  if clip_norm == 0:
    config.train.grad_norm_every_steps = 100  # the next epoch, steps 5-9, measures none
    trainer = train_loops.Trainer(config, _synthetic_split(make_key(), 40))
    state, sums = trainer.train_epoch(state, steps.shuffle_key(config.seed, 2))
    assert int(sums['grad_norm_steps']) == 0
    assert 'grad_norm' not in epoch_end.metrics_row(
        epoch_end.Finished(2, state, jax.device_get(sums), {}, 1.0, 0), trainer)


@pytest.mark.slow
def test_scan_and_python_loops_give_the_same_parameters_in_float64(make_key):
  # Compiled programs of 10 steps of V5 (dense layers, every BatchNorm): the python loop,
  # and the scan loop with its whole epoch (steps_per_call 0) and 2 steps per call; in
  # float64, so that their rounding cannot part them (tests/float64.py).
  results = {}
  with float64.enabled():
    split = float64.cast(_synthetic_split(make_key(), 44))  # 5 steps of 8 per epoch
    for loop, steps_per_call in (('python', 0), ('scan', 0), ('scan', 2)):
      config = tiny_config('v5')
      config.train.loop = loop
      config.train.steps_per_call = steps_per_call
      trainer, results[loop, steps_per_call] = _run_epochs(config, split, split,
                                                           cast=float64.cast)
      assert trainer.loop == loop
  python = results.pop(('python', 0))
  biases = float64.BATCHNORM_FED_BIASES['v5']
  for scan in results.values():
    assert int(python.step) == int(scan.step) == 10
    chex.assert_trees_all_close(float64.without(python.params, biases),
                                float64.without(scan.params, biases), rtol=1e-10, atol=1e-12)
    chex.assert_trees_all_close(python.batch_stats, scan.batch_stats, rtol=1e-10, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize('loop', ('python', 'scan'))
def test_hot_loop_moves_no_data_between_host_and_device(loop, make_key):
  split = _synthetic_split(make_key(), 40)
  config = tiny_config('v4')
  config.train.loop = loop
  trainer = train_loops.Trainer(config, split)
  state = new_train_state(config, steps.init_key(0), trainer.steps_per_epoch)
  state, _ = trainer.train_epoch(state, steps.shuffle_key(0, 1))  # compiles
  key = steps.shuffle_key(0, 2)
  with jax.transfer_guard('disallow'):
    state, epoch_sums = trainer.train_epoch(state, key)
  assert int(epoch_sums['steps']) == trainer.steps_per_epoch


def test_auto_picks_the_faster_loop_on_cpu_and_a_named_loop_is_kept(monkeypatch):
  assert tiny_config().train.loop == 'auto'
  assert [train_loops.resolve(loop, name) for loop in ('python', 'scan')
          for name in ('v3', 'cnn')] == ['python', 'python', 'scan', 'scan']
  monkeypatch.setattr(jax, 'default_backend', lambda: 'cpu')
  # Measured: XLA:CPU runs convolutions about 10x slower inside a device loop, and
  # dense steps faster in one.
  assert {name: train_loops.resolve('auto', name) for name in ('v1', 'v5', 'hinton2006',
                                                                'conv_ae', 'cnn')} == {
      'v1': 'scan', 'v5': 'scan', 'hinton2006': 'scan', 'conv_ae': 'python', 'cnn': 'python'}
  # A dense model whose objective runs a CNN (the perceptual term) is timed as a conv one.
  assert train_loops.resolve('auto', 'hinton2006', convolutional_objective=True) == 'python'
  monkeypatch.setattr(jax, 'default_backend', lambda: 'a_new_backend')
  # An unmeasured backend is taken for an accelerator (scan), not refused with a KeyError.
  assert [train_loops.resolve('auto', name) for name in ('v1', 'cnn')] == ['scan', 'scan']


def test_auto_counts_the_perceptual_classifier_in_the_step_from_the_config_alone(monkeypatch):
  monkeypatch.setattr(jax, 'default_backend', lambda: 'cpu')
  config = tiny_config('hinton2006')
  config.optim.perceptual_weight = 0.001
  config.optim.perceptual_workdir = '/nonexistent/classifier'  # never read to choose a loop
  loops = {}
  for classifier in ('cnn', 'mlp'):
    config.optim.perceptual_model = classifier
    loops[classifier] = train_loops.config_loop(config)
  config.optim.perceptual_weight = 0.0
  loops['off'] = train_loops.config_loop(config)
  # A CNN in the step takes the conv models' loop; a dense classifier keeps the dense one.
  assert loops == {'cnn': 'python', 'mlp': 'scan', 'off': 'scan'}


@pytest.mark.slow
def test_weight_decay_shrinks_kernels_only(make_key):
  config = tiny_config('v4')  # kernels, biases and BatchNorm scales
  config.optim.weight_decay = 0.5
  state = new_train_state(config, make_key(), 10)
  zero_grads = jax.tree.map(np.zeros_like, state.params)
  updates, _ = state.tx.update(zero_grads, state.opt_state, state.params)
  flat_updates = flax.traverse_util.flatten_dict(updates)
  for path, param in flax.traverse_util.flatten_dict(state.params).items():
    expected = -1e-3 * 0.5 * param if path[-1] == 'kernel' else np.zeros_like(param)
    np.testing.assert_allclose(flat_updates[path], expected, rtol=1e-5, atol=1e-12)


def test_all_finite_finds_one_non_finite_float_and_ignores_integers(make_key):
  state = new_train_state(tiny_config('v4'), make_key(), 10)
  variables = {'params': state.params, 'batch_stats': state.batch_stats, 'step': state.step}
  assert bool(checkpoint.all_finite(variables))
  spoiled = jax.tree.map(lambda leaf: leaf, variables)
  spoiled['batch_stats']['encoder_norms_0']['var'] = (
      spoiled['batch_stats']['encoder_norms_0']['var'].at[2].set(jnp.inf))
  assert not bool(checkpoint.all_finite(spoiled))


# The encoder's first kernel of each model that takes a label_weight.
FIRST_ENCODER_KERNEL = {'conv_ae': ('encoder', 'Dense_0'), 'hinton2006': ('encoder_layers_0',)}


@pytest.mark.slow
@pytest.mark.parametrize('name', ['hinton2006', 'conv_ae'])
def test_a_supervised_autoencoder_trains_its_code_head_and_reports_the_reconstruction_loss(
    name, make_key):
  """label_weight adds the code head's cross-entropy to what the step minimises only:
  the head and the encoder move with it, the reported loss stays the squared error."""
  config = tiny_config(name)
  config.model.label_weight = 0.5
  state, [(plain_state, plain), (labelled_state, labelled)], batch, _ = step_each_way(
      config, make_key, losses.Loss(tasks.RECONSTRUCT),
      losses.Loss(tasks.RECONSTRUCT, label_weight=0.5))
  code_dim = config.model.code_dim
  assert state.params['code_classifier']['kernel'].shape == (code_dim, networks.NUM_CLASSES)
  np.testing.assert_allclose(labelled['loss'], plain['loss'], rtol=1e-6)  # the same forward pass
  head = lambda trained: trained.params['code_classifier']['kernel']  # noqa: E731
  np.testing.assert_array_equal(head(plain_state), head(state))  # no label loss, no gradient
  assert not np.allclose(head(labelled_state), head(state))
  def encoder_out(trained):
    layer = trained.params
    for key in FIRST_ENCODER_KERNEL[name]:
      layer = layer[key]
    return layer['kernel']
  assert not np.allclose(encoder_out(labelled_state), encoder_out(plain_state))
  # The head is a side branch: evaluation is the decoder of the code, as without it.
  model = networks.create_model(config.model)
  variables = {'params': state.params, 'batch_stats': state.batch_stats}
  @jax.jit
  def predicted_and_decode_of_encode(state, variables, images):
    code = model.apply(variables, images, method=model.encode)
    return steps.predict(state, images), model.apply(variables, code, method=model.decode)
  np.testing.assert_allclose(*predicted_and_decode_of_encode(state, variables, batch['image']),
                             rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_label_smoothing_changes_what_a_classifier_minimises_not_what_it_reports(make_key):
  """The smoothed step's gradient is the one of optax's smoothed cross-entropy; its
  reported loss is the plain cross-entropy of the same forward pass."""
  smoothing = lambda amount: losses.Loss(tasks.CLASSIFY, label_smoothing=amount)  # noqa: E731
  state, runs, batch, key = step_each_way(tiny_config('cnn'), make_key, smoothing(0.0),
                                          smoothing(0.9))
  [(plain_state, plain), (smoothed_state, smoothed)] = runs
  np.testing.assert_allclose(smoothed['loss'], plain['loss'], rtol=1e-6)
  assert not np.allclose(smoothed['grad_norm'], plain['grad_norm'])
  kernel = lambda trained: trained.params['Dense_0']['kernel']  # noqa: E731
  assert not np.allclose(kernel(smoothed_state), kernel(plain_state))
  # Smoothing by 0.9 leaves 0.1 + 0.09 on the label and 0.09 on each other class.
  def smoothed_objective(params):
    logits = state.apply_fn({'params': params, 'batch_stats': state.batch_stats},
                            batch['image'], train=True, mutable=['batch_stats'],
                            rngs={'dropout': jax.random.split(key)[1]})[0]
    targets = jnp.where(jax.nn.one_hot(batch['label'], 10) > 0, 0.19, 0.09)
    return jnp.mean(optax.softmax_cross_entropy(logits, targets))
  np.testing.assert_allclose(smoothed['grad_norm'],
                             optax.tree.norm(jax.jit(jax.grad(smoothed_objective))(state.params)),
                             rtol=1e-4)


@pytest.mark.parametrize('loop', (pytest.param('python', marks=pytest.mark.slow), 'scan'))
def test_the_epoch_loop_passes_labels_to_a_supervised_autoencoders_head(loop, make_key):
  config = tiny_config('hinton2006')  # dense: the loop is the same for every model
  config.model.label_weight = 0.5
  config.train.loop = loop
  split = _synthetic_split(make_key(), 24)
  trainer = train_loops.Trainer(config, split)
  state = new_train_state(config, steps.init_key(config.seed), trainer.steps_per_epoch)
  head_before = np.asarray(state.params['code_classifier']['kernel'])
  state, sums = trainer.train_epoch(state, steps.shuffle_key(config.seed, 1))
  assert int(sums['steps']) == 3 and np.isfinite(float(sums['loss']))
  assert not np.allclose(state.params['code_classifier']['kernel'], head_before)


@pytest.mark.slow
def test_a_step_skipped_for_a_nan_in_the_objective_is_recorded_as_nonfinite(make_key):
  """A label outside the 10 classes makes the code head's cross-entropy NaN while the
  reported squared error stays finite: the step is skipped, and the epoch says so."""
  config = tiny_config('conv_ae')
  config.model.label_weight = 0.5
  split = _synthetic_split(make_key(), 24)
  split['label'] = np.full_like(split['label'], 10)
  trainer = train_loops.Trainer(config, split)
  state = new_train_state(config, steps.init_key(config.seed), trainer.steps_per_epoch)
  steps_before = int(state.step)  # the epoch donates the state's buffers
  after, sums = trainer.train_epoch(state, steps.shuffle_key(config.seed, 1))
  assert np.isfinite(float(sums['loss']))
  assert int(sums['first_nonfinite_step']) == 1
  assert int(after.step) == steps_before  # every step skipped


@pytest.mark.parametrize('decay', (0.5, 0.9, 0.999))
def test_the_moving_average_after_n_steps_is_the_debiased_closed_form(decay):
  # SGD at rate 1 on gradient -1 moves w from 0 to 1, 2, ..., n: the params after
  # update k are k, and the average weighs them by (1 - d) d^(n - k) / (1 - d^n).
  state = steps.TrainState.create(apply_fn=None, params={'w': jnp.zeros(())}, batch_stats={},
                                  tx=optax.sgd(1.0), ema_params={'w': jnp.zeros(())},
                                  ema_decay=decay)
  ema_of_optax = optax.ema(decay, debias=True)
  ema_state = ema_of_optax.init(state.params)
  for step in range(1, 8):
    state = state.apply_gradients(grads={'w': -jnp.ones(())}, batch_stats={})
    from_optax, ema_state = ema_of_optax.update(state.params, ema_state)
    weights = np.array([(1 - decay) * decay ** (step - k) for k in range(1, step + 1)])
    closed_form = np.sum(weights * np.arange(1, step + 1)) / (1 - decay ** step)
    np.testing.assert_allclose(state.ema_params['w'], closed_form, rtol=2e-6)
    # optax's float32 1 - d^n loses digits near d = 1 (1.3e-5 at 0.999); expm1 keeps them.
    np.testing.assert_allclose(state.ema_params['w'], from_optax['w'], rtol=1e-4)


def test_a_config_with_ema_carries_a_copy_of_the_params_and_one_without_none(make_key):
  config = tiny_config('v5')
  assert new_train_state(config, make_key(), 10).ema_params is None
  config.optim.ema_decay = 0.99
  state = new_train_state(config, make_key(), 10)
  assert state.ema_decay == 0.99
  jax.tree.map(np.testing.assert_array_equal, state.ema_params, state.params)


def test_without_ema_the_train_step_compiles_to_the_program_of_before(make_key):
  """The TrainState of before the moving average: Flax's plus batch_stats, nothing else."""

  class TrainStateBeforeEma(flax.training.train_state.TrainState):
    batch_stats: Any

  config = tiny_config('v5')
  state = new_train_state(config, make_key(), 10)
  before = TrainStateBeforeEma.create(apply_fn=state.apply_fn, params=state.params,
                                      batch_stats=state.batch_stats, tx=state.tx).replace(
                                          step=state.step)
  batch = {'image': jax.random.uniform(make_key(), (8, 784))}
  key = make_key()

  def program(train_state):
    return jax.jit(steps.train_step, static_argnums=3).lower(
        train_state, batch, key, losses.Loss(tasks.RECONSTRUCT)).as_text()

  assert program(state) == program(before)


def test_a_skipped_step_leaves_the_moving_average_as_it_was(make_key):
  config = tiny_config('v2')
  config.optim.ema_decay = 0.9
  state = new_train_state(config, make_key(), 10)
  batch = {'image': jnp.full((8, 784), jnp.nan)}
  after, _ = jax.jit(steps.train_step, static_argnums=3)(state, batch, make_key(),
                                                          losses.Loss(tasks.RECONSTRUCT))
  jax.tree.map(np.testing.assert_array_equal, after.ema_params, state.ema_params)


def _ema_evaluator(make_key, validation):
  """A v4 state whose moving average is half its parameters, and an Evaluator of one
  random split (as validation split too, if `validation`)."""
  config = tiny_config('v4')
  config.optim.ema_decay = 0.9
  state = new_train_state(config, make_key(), 10)
  state = state.replace(ema_params=jax.tree.map(lambda p: p * 0.5, state.params))
  split = {'image': jax.random.uniform(make_key(), (16, 784)), 'label': jnp.arange(16) % 10}
  mesh = train_loops.Trainer(config, split).mesh
  evaluator = held_out.Evaluator(config, tasks.RECONSTRUCT, split, mesh,
                                 validation_split=split if validation else None)
  return state, evaluator


@pytest.mark.parametrize('validation', (True, False))
def test_the_moving_average_is_evaluated_beside_the_params_on_the_judged_split(
    validation, make_key):
  state, evaluator = _ema_evaluator(make_key, validation)
  results = evaluator.held_out_results(state, last_epoch=not validation)
  judged = 'val' if validation else 'test'
  assert set(results) == {f'{judged}_loss', f'{judged}_ema_loss'}
  np.testing.assert_allclose(
      results[f'{judged}_ema_loss'],
      evaluator.test_results(steps.with_ema_params(state))['test_loss'], rtol=1e-6)
  assert float(results[f'{judged}_ema_loss']) != pytest.approx(float(results[f'{judged}_loss']))


def test_the_last_epoch_tests_the_weights_better_on_validation_and_names_them(make_key):
  state, evaluator = _ema_evaluator(make_key, validation=True)
  swapped = state.replace(params=state.ema_params, ema_params=state.params)
  chosen = {}
  for name, candidate in (('state', state), ('swapped', swapped)):
    results = jax.device_get(evaluator.held_out_results(candidate, last_epoch=True))
    better = 'ema' if results['val_ema_loss'] < results['val_loss'] else 'raw'
    assert results['test_weights'] == better
    expected = evaluator.test_results(held_out.weights_state(candidate, better))['test_loss']
    np.testing.assert_allclose(results['test_loss'], expected, rtol=1e-6)
    chosen[name] = better
  assert set(chosen.values()) == {'raw', 'ema'}  # each pair has one better on validation
