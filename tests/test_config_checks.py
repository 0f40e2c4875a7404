"""Every config is either refused with a clear ConfigError or trains a step."""

import subprocess
import sys

from hypothesis import given, settings, strategies as st
import jax
import numpy as np
import pytest

from jax_ae.config import config_checks
from jax_ae.datasets import augment
from jax_ae.errors import ConfigError
from jax_ae.models import losses
from jax_ae.models import networks
from jax_ae.training import steps
from tests.helpers import new_train_state, ALL_MODELS, REPO_ROOT, tiny_config

# Set where the chosen model takes them (a model's own fields), everywhere otherwise.
model_fields = st.fixed_dictionaries({
    'features': st.sampled_from([(4,), (4, 8), (2, 4, 8), (), (0, 4)]),
    'hidden_widths': st.sampled_from([(8,), (8, 4), (), (8, -1)]),
    'upsample': st.sampled_from(['nearest', 'bilinear', 'cubic']),
    'dropout_rate': st.floats(-0.5, 1.0, allow_nan=False),
    'code_dim': st.integers(-2, 12),
    'hidden_units': st.integers(-2, 32),
})
overrides = st.fixed_dictionaries({
    'task': st.sampled_from(['reconstruct', 'classify', 'denoise']),
    'augment.max_shift': st.integers(-1, 30),
    'augment.erase_size': st.integers(-1, 29),
    'data.name': st.sampled_from(['mnist', 'fashion_mnist', 'cifar10']),
    'batch_size': st.integers(-1, 9),
    'num_epochs': st.integers(-1, 3),
    'optim.learning_rate': st.floats(-1.0, 1.0, allow_nan=False),
    'optim.decay_rate': st.floats(-0.5, 1.0, allow_nan=False),
    'optim.transition_epochs': st.floats(-1.0, 3.0, allow_nan=False),
    'optim.clip_norm': st.floats(-1.0, 2.0, allow_nan=False),
    'optim.weight_decay': st.floats(-0.5, 1.5, allow_nan=False),
    'optim.label_smoothing': st.floats(-0.5, 1.5, allow_nan=False),
    'optim.edge_weight': st.floats(-0.5, 1.5, allow_nan=False),
    'optim.reconstruction_loss': st.sampled_from(['mse', 'bce', 'l1']),
    'optim.ema_decay': st.floats(-0.5, 1.5, allow_nan=False),
    'optim.schedule': st.sampled_from(['exponential', 'cosine', 'linear']),
    'optim.warmup_epochs': st.floats(-1.0, 4.0, allow_nan=False),
})


def _set(config, dotted_name, value):
  *parents, name = dotted_name.split('.')
  holder = config
  for parent in parents:
    holder = holder[parent]
  with holder.ignore_type():
    holder[name] = value


@settings(deadline=None, max_examples=60)
@given(name=st.sampled_from([*ALL_MODELS, 'v6', '', 'V1']), fields=model_fields,
       others=overrides)
def test_config_is_refused_clearly_or_trains_one_step(name, fields, others):
  config = tiny_config(name if name in networks.REGISTRY else 'v1')
  changed = {'model.name': name, **others}
  changed.update({f'model.{field}': value for field, value in fields.items()
                  if field in config.model})
  for dotted_name, value in changed.items():
    _set(config, dotted_name, value)
  try:
    config_checks.validate(config)
  except ConfigError as error:
    message = str(error)
    assert message.endswith('.') and '\n' not in message
    named = [dotted_name for dotted_name in changed if dotted_name in message]
    assert named, f'the error names no field: {message}'
    return
  # A fixed key: hypothesis cannot hand a test the function-scoped make_key, and the
  # config drawn, not the key, is what this test varies.
  init_key, image_key, step_key = jax.random.split(jax.random.key(0), 3)
  state = new_train_state(config, init_key, 10)
  batch = {'image': jax.random.uniform(image_key, (config.batch_size, 784)),
           'label': jax.numpy.zeros(config.batch_size, jax.numpy.int32)}
  step = jax.jit(steps.train_step, static_argnums=(3, 4))
  state, metrics = step(state, batch, step_key, losses.from_config(config),
                        augment.from_config(config.augment))
  assert np.isfinite(float(metrics['loss']))
  assert int(state.step) == 1


@pytest.mark.parametrize('model, field, value, message', [
    ('conv_ae', 'model.features', (16, 32, 64),
     '--config.model.features must be 1 to 2 positive integers (channels per conv block, e.g. '
     '16,32) for conv_ae, got (16, 32, 64).'),
    ('cnn', 'model.features', (16, 32, 64, 128),
     '--config.model.features must be 1 to 3 positive integers (channels per conv block, e.g. '
     '16,32) for cnn, got (16, 32, 64, 128).'),
    ('conv_ae', 'model.upsample', 'cubic',
     "unknown --config.model.upsample 'cubic'; choose one of nearest, bilinear."),
    ('cnn', 'model.dropout_rate', 1.0, '--config.model.dropout_rate must be in [0, 1), got 1.0.'),
    ('v4', 'model.hidden_widths', (),
     '--config.model.hidden_widths must be positive integers (layer widths, e.g. 128,64,32), got '
     '().'),
    ('conv_ae', 'augment.max_shift', 28,
     '--config.augment.max_shift must be an integer from 0 (off) to 27 pixels, got 28.'),
    ('conv_ae', 'augment.flip', 1, '--config.augment.flip must be True or False, got 1.'),
    ('cnn', 'augment.erase_size', 29,
     '--config.augment.erase_size must be an integer from 0 (off) to 28 pixels, got 29.'),
    ('conv_ae', 'augment.erase_size', 8,
     'augment.erase_size works for classifiers only: an autoencoder learns to reproduce its '
     'augmented input, so it would learn to draw the erased squares; set '
     '--config.augment.erase_size=0.'),
    ('conv_ae', 'model.batch_norm', 'yes',
     "--config.model.batch_norm must be True or False, got 'yes'."),
    ('conv_ae', 'task', 'classify',
     "model 'conv_ae' learns to reconstruct, but task is 'classify'; set "
     "--config.task=reconstruct."),
    ('v1', 'batch_size', '32', "--config.batch_size must be a positive integer, got '32'."),
    ('v1', 'num_epochs', True, '--config.num_epochs must be a positive integer, got True.'),
    ('v1', 'bench.batch_sizes', 32,
     '--config.bench.batch_sizes must be positive integers up to 60000, the training examples of '
     'mnist (e.g. 32,256,1024), got 32.'),
    ('v1', 'bench.batch_sizes', (32, 1_000_000_000),
     '--config.bench.batch_sizes must be positive integers up to 60000, the training examples of '
     'mnist (e.g. 32,256,1024), got (32, 1000000000).'),
    ('v1', 'optim.weight_decay', 1.0,
     '--config.optim.weight_decay must be in [0, 1) (0 = off), got 1.0.'),
    ('cnn', 'optim.label_smoothing', 1.0,
     '--config.optim.label_smoothing must be in [0, 1) (0 = one-hot targets), got 1.0.'),
    ('v3', 'optim.label_smoothing', 0.1,
     'optim.label_smoothing smooths class targets; set --config.optim.label_smoothing=0 unless '
     'task=classify.'),
    ('conv_ae', 'optim.edge_weight', -0.1,
     '--config.optim.edge_weight must be 0 (off) or a positive weight, got -0.1.'),
    ('cnn', 'optim.edge_weight', 0.5,
     'optim.edge_weight weighs the edges of reconstructed images; set '
     '--config.optim.edge_weight=0 unless task=reconstruct.'),
    ('v2', 'optim.perceptual_weight', -1.0,
     '--config.optim.perceptual_weight must be 0 (off) or a positive weight, got -1.0.'),
    ('v2', 'optim.perceptual_fraction', 0.0,
     '--config.optim.perceptual_fraction must be in (0, 1] (1 = the whole batch), got 0.0.'),
    ('v2', 'optim.perceptual_fraction', 1.5,
     '--config.optim.perceptual_fraction must be in (0, 1] (1 = the whole batch), got 1.5.'),
    ('cnn', 'optim.perceptual_weight', 0.5,
     'optim.perceptual_weight compares reconstructions with their images; set '
     '--config.optim.perceptual_weight=0 unless task=reconstruct.'),
    ('v2', 'optim.perceptual_weight', 0.5,
     'optim.perceptual_weight needs the classifier whose logits it compares: set '
     '--config.optim.perceptual_workdir to its workdir.'),
    ('v1', 'optim.reconstruction_loss', 'bce',
     '--config.optim.reconstruction_loss=bce needs a decoder that ends in a sigmoid (v2, '
     'hinton2006, conv_ae), not v1; use mse.'),
    ('v2', 'optim.reconstruction_loss', 'l1',
     "unknown --config.optim.reconstruction_loss 'l1'; choose one of mse, bce."),
    ('v2', 'optim.ema_decay', 1.0,
     '--config.optim.ema_decay must be in [0, 1) (0 = off, e.g. 0.999), got 1.0.'),
    ('v1', 'model.name', 'cnn',
     "model 'cnn' learns to classify, but task is 'reconstruct'; set --config.task=classify."),
    ('v1', 'batch_size', 0, '--config.batch_size must be a positive integer, got 0.'),
    ('v1', 'optim.learning_rate', -1.0,
     '--config.optim.learning_rate must be a positive number, got -1.0.'),
    ('v1', 'model.name', 'v9',
     "unknown --config.model.name 'v9'; choose one of v1, v2, v3, v4, v5, hinton2006, conv_ae, "
     "cnn, mlp."),
    ('v1', 'model.name', 'v4',
     "model 'v4' takes model.code_dim, model.hidden_widths, not model.hidden_units; choose a "
     "model by its config file (configs/*.py), not by --config.model.name."),
    ('v1', 'optim.learning_rate', float('inf'),
     '--config.optim.learning_rate must be a finite number float32 can hold (magnitude at most '
     '3.4e+38), got inf.'),
    ('v1', 'optim.clip_norm', 1e39,
     '--config.optim.clip_norm must be a finite number float32 can hold (magnitude at most '
     '3.4e+38), got 1e+39.'),
    ('v1', 'train.grad_norm_every_steps', 0,
     '--config.train.grad_norm_every_steps must be a positive integer, got 0.'),
    ('v1', 'train.grad_norm_every_steps', 2.5,
     '--config.train.grad_norm_every_steps must be a positive integer, got 2.5.'),
    ('v1', 'data.validation_size', 59_995,
     '--config.data.validation_size must be 0 (none) to 60000 training examples less one batch, '
     'got 59995.'),
    ('v1', 'optim.schedule', 'linear',
     "unknown --config.optim.schedule 'linear'; choose one of exponential, cosine."),
    ('v1', 'optim.warmup_epochs', 2.0,
     '--config.optim.warmup_epochs must be from 0 (none) to less than num_epochs (2), got 2.0.'),
    ('v1', 'eval_batch_size', 100_000_000,
     '--config.eval_batch_size 100000000 exceeds the 10000 test examples of mnist; use at most '
     '10000.'),
])
def test_wrong_values_get_one_sentence_naming_the_field(model, field, value, message):
  config = tiny_config(model)
  _set(config, field, value)
  with pytest.raises(ConfigError) as raised:
    config_checks.validate(config)
  assert str(raised.value) == message


def test_every_float_field_is_checked_for_float32_range():
  config = tiny_config()
  config.unlock()
  config.optim.some_future_rate = float('nan')
  with pytest.raises(ConfigError, match=r'^--config.optim.some_future_rate must be a finite '
                                         'number'):
    config_checks.validate(config)


def test_missing_model_fields_take_the_modules_defaults():
  config = tiny_config('conv_ae')
  del config.model['upsample'], config.model['batch_norm']
  config_checks.validate(config)
  assert networks.create_model(config.model).upsample == 'nearest'


def test_batch_larger_than_the_training_split_is_refused_before_loading():
  config = tiny_config()
  config.batch_size = 60_001
  with pytest.raises(ConfigError, match='^--config.batch_size 60001 exceeds the 60000 training '
                                        'examples of mnist; use at most 60000.$'):
    config_checks.validate(config)


@pytest.mark.parametrize('model, fields, refused', [
    ('v4', {}, True), ('v5', {}, True), ('cnn', {}, True), ('conv_ae', {}, True),
    ('conv_ae', {'batch_norm': False}, False), ('v1', {}, False), ('hinton2006', {}, False)])
def test_batchnorm_models_need_two_examples_per_batch(model, fields, refused):
  for batch_size, bench_sizes in ((1, ()), (8, (16, 1))):
    config = tiny_config(model)
    config.model.update(fields)
    config.batch_size = batch_size
    config.bench.batch_sizes = bench_sizes
    if refused:
      with pytest.raises(ConfigError, match=r'needs --config.batch_size \(and '
                                             r'--config.bench.batch_sizes\) >= 2'):
        config_checks.validate(config)
    else:
      config_checks.validate(config)


@pytest.mark.slow
def test_main_refuses_a_wrong_value_with_one_line_and_exit_2_before_training(tmp_path):
  # Every message above reaches the user this way: main.py prints it and trains nothing.
  override = '--config.model.name=v4'
  message = "error: model 'v4' takes model.code_dim, model.hidden_widths, not model.hidden_units"
  result = subprocess.run(
      [sys.executable, '-m', 'tests.main_with_mock_data', '--config=configs/v1.py',
       f'--workdir={tmp_path / "run"}', override], cwd=REPO_ROOT, capture_output=True,
      text=True, timeout=300, check=False)
  assert result.returncode == 2, result.stderr[-2000:]
  error_lines = [line for line in result.stderr.splitlines() if line.startswith('error: ')]
  assert len(error_lines) == 1 and error_lines[0].startswith(message), result.stderr[-2000:]
  assert 'Traceback' not in result.stderr
  assert not (tmp_path / 'run' / 'metrics.jsonl').exists()  # refused before any training
