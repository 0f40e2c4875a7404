"""Every config is either refused with a clear ConfigError or trains a step."""

from hypothesis import given, settings, strategies as st
import jax
import numpy as np
import pytest

from jax_ae import augment
from jax_ae import config_checks
from jax_ae import train
from jax_ae.errors import ConfigError
from tests.conftest import tiny_config

configs = st.fixed_dictionaries({
    'model.name': st.sampled_from(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', '', 'V1', 'conv_ae', 'cnn']),
    'task': st.sampled_from(['reconstruct', 'classify', 'denoise']),
    'model.features': st.sampled_from([(4,), (4, 8), (2, 4, 8), (), (0, 4)]),
    'model.upsample': st.sampled_from(['nearest', 'bilinear', 'cubic']),
    'model.dropout_rate': st.floats(-0.5, 1.0, allow_nan=False),
    'augment.max_shift': st.integers(-1, 30),
    'data.name': st.sampled_from(['mnist', 'fashion_mnist', 'cifar10']),
    'model.code_dim': st.integers(-2, 12),
    'model.hidden_units': st.integers(-2, 32),
    'batch_size': st.integers(-1, 9),
    'num_epochs': st.integers(-1, 3),
    'optim.learning_rate': st.floats(-1.0, 1.0, allow_nan=False),
    'optim.decay_rate': st.floats(-0.5, 1.0, allow_nan=False),
    'optim.transition_epochs': st.floats(-1.0, 3.0, allow_nan=False),
    'optim.clip_norm': st.floats(-1.0, 2.0, allow_nan=False),
    'optim.weight_decay': st.floats(-0.5, 1.5, allow_nan=False),
})


def _apply(overrides):
  config = tiny_config()
  for dotted_name, value in overrides.items():
    *parents, name = dotted_name.split('.')
    holder = config
    for parent in parents:
      holder = holder[parent]
    holder[name] = value
  return config


@settings(deadline=None, max_examples=60)
@given(overrides=configs)
def test_config_is_refused_clearly_or_trains_one_step(overrides):
  config = _apply(overrides)
  try:
    config_checks.validate(config)
  except ConfigError as error:
    message = str(error)
    assert message.endswith('.') and '\n' not in message
    named = [name for name in overrides if name in message]
    assert named, f'the error names no field: {message}'
    return
  state = train.create_train_state(config, jax.random.key(0), 10)
  batch = {'image': jax.random.uniform(jax.random.key(1), (config.batch_size, 784)),
           'label': jax.numpy.zeros(config.batch_size, jax.numpy.int32)}
  step = jax.jit(train.train_step, static_argnums=(3, 4))
  state, metrics = step(state, batch, jax.random.key(2), config.task,
                        augment.from_config(config.augment))
  assert np.isfinite(float(metrics['loss']))
  assert int(state.step) == 1


@pytest.mark.parametrize('field, value, message', [
    ('model.features', (16, 32, 64), 'model.features must be 1 to 2 positive integers (channels '
                                     'per conv block) for conv_ae, e.g. 16,32; got (16, 32, 64).'),
    ('model.upsample', 'cubic', "unknown model.upsample 'cubic'; choose one of nearest, bilinear."),
    ('model.dropout_rate', 1.0, 'model.dropout_rate must be in [0, 1), got 1.0.'),
    ('augment.max_shift', 28, 'augment.max_shift must be an integer from 0 (off) to 27 pixels, '
                              'got 28.'),
    ('augment.flip', 1, 'augment.flip must be True or False, got 1.'),
    ('model.batch_norm', 'yes', "model.batch_norm must be True or False, got 'yes'."),
    ('task', 'classify', "model 'conv_ae' learns to reconstruct, but task is 'classify'; "
                         "set --config.task=reconstruct."),
    ('batch_size', '32', "batch_size must be a positive integer, got '32'."),
    ('num_epochs', True, 'num_epochs must be a positive integer, got True.'),
    ('optim.weight_decay', 1.0, 'optim.weight_decay must be in [0, 1) (0 = off), got 1.0.'),
    ('model.name', 'v9', "unknown model.name 'v9'; choose one of v1, v2, v3, v4, v5, hinton2006, conv_ae, cnn."),
])
def test_wrong_types_and_names_from_a_config_file(field, value, message):
  config = tiny_config('conv_ae')
  config.unlock()
  *parents, name = field.split('.')
  holder = config[parents[0]] if parents else config
  with config.ignore_type():
    holder[name] = value
  with pytest.raises(ConfigError) as raised:
    config_checks.validate(config)
  assert str(raised.value) == message


def test_batch_larger_than_the_training_split_is_refused_before_loading():
  config = tiny_config()
  config.batch_size = 60_001
  with pytest.raises(ConfigError, match='batch_size 60001 exceeds the 60000 training examples'):
    config_checks.validate(config)


@pytest.mark.parametrize('batch_size, bench_sizes', [(1, ()), (8, (16, 1))])
def test_batchnorm_versions_need_two_examples_per_batch(batch_size, bench_sizes):
  config = tiny_config('v4')
  config.batch_size = batch_size
  config.bench.batch_sizes = bench_sizes
  with pytest.raises(ConfigError, match=r'needs batch_size \(and bench.batch_sizes\) >= 2'):
    config_checks.validate(config)
