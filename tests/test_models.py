"""Shapes, ranges and structure of the notebook autoencoders and the to-do list's CNNs."""

from hypothesis import given, settings, strategies as st
import flax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import default
from jax_ae import models
from tests.conftest import ALL_MODELS, VERSIONS, tiny_config

NOTEBOOK_CODE_DIMS = {'v1': 10, 'v2': 10, 'v3': 20, 'v4': 16, 'v5': 16}


def _model_and_variables(version, code_dim, key):
  config = default.get_config()
  config.model.name = version
  config.model.code_dim = code_dim
  model = models.create_model(config.model)
  return model, model.init(key, jnp.zeros((2, 784)), train=False)


@pytest.mark.parametrize('version', VERSIONS)
@settings(deadline=None, max_examples=4)
@given(batch_size=st.integers(2, 33), seed=st.integers(0, 2**16))
def test_shapes_are_finite_in_train_and_eval(version, batch_size, seed):
  key_init, key_data = jax.random.split(jax.random.key(seed))
  code_dim = NOTEBOOK_CODE_DIMS[version]
  model, variables = _model_and_variables(version, code_dim, key_init)
  x = jax.random.uniform(key_data, (batch_size, 784))
  code = model.apply(variables, x, method=model.encode)
  assert code.shape == (batch_size, code_dim)
  decoded = model.apply(variables, code, method=model.decode)
  assert decoded.shape == (batch_size, 784)
  for train in (False, True):
    output, _ = model.apply(variables, x, train=train, mutable=['batch_stats'])
    assert output.shape == (batch_size, 784)
    assert bool(jnp.all(jnp.isfinite(output)))


def test_v2_outputs_lie_in_unit_interval(make_key):
  model, variables = _model_and_variables('v2', 10, make_key())
  x = jax.random.uniform(make_key(), (64, 784)) * 50.0 - 25.0  # far outside [0, 1]
  output = np.asarray(model.apply(variables, x), np.float64)
  assert output.min() > 0.0 and output.max() < 1.0


def test_v3_codes_lie_in_unit_interval(make_key):
  model, variables = _model_and_variables('v3', 20, make_key())
  x = jax.random.uniform(make_key(), (64, 784))
  code = np.asarray(model.apply(variables, x, method=model.encode), np.float64)
  assert code.min() > 0.0 and code.max() < 1.0


def test_hinton2006_has_the_papers_layer_widths(make_key):
  model, variables = _model_and_variables('hinton2006', 30, make_key())
  kernels = jax.tree.leaves({name: layer['kernel'] for name, layer in variables['params'].items()})
  assert sorted(kernel.shape for kernel in kernels) == sorted([(784, 1000), (1000, 500), (500, 250), (250, 30),
                                   (30, 250), (250, 500), (500, 1000), (1000, 784)])
  x = jax.random.uniform(make_key(), (64, 784))
  code = np.asarray(model.apply(variables, x, method=model.encode), np.float64)
  output = np.asarray(model.apply(variables, x), np.float64)
  assert code.shape == (64, 30) and code.min() < 0.0  # a linear code, as in the paper
  assert output.min() > 0.0 and output.max() < 1.0


def test_v4_and_v5_batchnorm_layout_matches_the_notebook(make_key):
  _, v4 = _model_and_variables('v4', 16, make_key())
  _, v5 = _model_and_variables('v5', 16, make_key())
  # 3 encoder + 3 decoder no-affine BatchNorms, plus the affine one on the code.
  assert len(v4['batch_stats']) == 7
  assert set(v4['params']['code_norm']) == {'scale', 'bias'}
  assert {name for name in v4['params'] if 'norm' in name} == {'code_norm'}
  assert set(v5['batch_stats']) == set(v4['batch_stats']) | {'input_norm'}
  assert v5['batch_stats']['input_norm']['mean'].shape == (784,)


def test_v1_is_linear(make_key):
  model, variables = _model_and_variables('v1', 10, make_key())
  a, b = jax.random.uniform(make_key(), (2, 3, 784))
  f = lambda x: model.apply(variables, x)
  zero = f(jnp.zeros_like(a))
  np.testing.assert_allclose(f(a + b) - zero, (f(a) - zero) + (f(b) - zero), atol=1e-4)


def test_hidden_units_sets_v1_width():
  config = default.get_config()
  config.model.hidden_units = 33
  variables = models.create_model(config.model).init(jax.random.key(0), jnp.zeros((2, 784)))
  assert variables['params']['encoder_hidden']['kernel'].shape == (784, 33)


def test_dense_weights_start_as_pytorch_linear(make_key):
  _, variables = _model_and_variables('v3', 20, make_key())
  kernel = np.asarray(variables['params']['encoder_layers_0']['kernel'])  # [784, 1500]
  bound = 1.0 / np.sqrt(784)
  assert np.abs(kernel).max() <= bound
  np.testing.assert_allclose(kernel.std(), bound / np.sqrt(3.0), rtol=0.01)  # uniform std


def _conv_config(name, **fields):
  config = default.get_config()
  config.model.name = name
  config.model.update(fields)
  return config.model


@pytest.mark.parametrize('features, batch_norm, upsample', [
    ((16, 32), True, 'nearest'), ((8,), False, 'bilinear'), ((4, 8), False, 'nearest')])
def test_conv_autoencoder_pools_down_and_upsamples_back(features, batch_norm, upsample,
                                                        make_key):
  model = models.create_model(_conv_config('conv_ae', features=features, batch_norm=batch_norm,
                                           upsample=upsample, hidden_units=32))
  x = jax.random.uniform(make_key(), (3, 784))
  variables = model.init(make_key(), x, train=False)
  _, state = model.apply(variables, x, train=False, capture_intermediates=True,
                         mutable=['intermediates'])
  shapes = {'/'.join(path): value[0].shape for path, value in
            flax.traverse_util.flatten_dict(state['intermediates']).items()}
  side = 28
  for block in range(len(features)):
    side //= 2  # each block's pooling halves the side
  smallest = [shape for name, shape in shapes.items() if name.startswith('decoder/Dense_1')]
  assert smallest == [(3, side * side * features[-1])]
  decoder_convs = [shapes[f'decoder/Conv_{i}/__call__'] for i in range(len(features))]
  for i, shape in enumerate(decoder_convs):  # each upsampling doubles it back
    assert shape[1:3] == (side * 2**(i + 1),) * 2
  assert model.apply(variables, x, method=model.encode).shape == (3, 10)
  output, _ = model.apply(variables, x, train=True, mutable=['batch_stats'])
  assert output.shape == (3, 784)
  assert float(output.min()) > 0.0 and float(output.max()) < 1.0
  assert ('batch_stats' in variables) == batch_norm


@pytest.mark.parametrize('features', ((32, 64), (8,)))
def test_cnn_classifier_returns_ten_logits_and_pools_per_block(features, make_key):
  model = models.create_model(_conv_config('cnn', features=features, dense_units=16,
                                           dropout_rate=0.5))
  x = jax.random.uniform(make_key(), (5, 784))
  variables = model.init(make_key(), x, train=False)
  side = 28 // 2**len(features)
  assert variables['params']['Dense_0']['kernel'].shape == (side * side * features[-1], 16)
  assert model.apply(variables, x).shape == (5, models.NUM_CLASSES)
  # Dropout draws from the 'dropout' key in training, and is off in evaluation.
  for train, differs in ((True, True), (False, False)):
    logits = [model.apply(variables, x, train=train, mutable=['batch_stats'],
                          rngs={'dropout': make_key()})[0] for _ in range(2)]
    assert (not np.allclose(logits[0], logits[1])) == differs


def test_every_model_declares_its_task():
  assert set(models.TASK_OF_MODEL) == set(models.MODELS)
  assert models.TASK_OF_MODEL['cnn'] == 'classify'
  assert {models.TASK_OF_MODEL[name] for name in models.MODELS if name != 'cnn'} == {'reconstruct'}


@pytest.mark.parametrize('name', [name for name in ALL_MODELS if name != 'cnn'])
def test_evaluation_output_is_decode_of_encode(name, make_key):
  """--mode=evaluate encodes the test split once and decodes the codes (evaluate.py)."""
  model = models.create_model(tiny_config(name).model)
  x = jax.random.uniform(make_key(), (6, 784))
  variables = model.init(make_key(), x, train=False)
  _, updates = model.apply(variables, x, train=True, mutable=['batch_stats'])
  variables = {**variables, **updates}  # running averages away from their start
  code = model.apply(variables, x, method=model.encode)
  np.testing.assert_allclose(model.apply(variables, code, method=model.decode),
                             model.apply(variables, x, train=False), rtol=1e-6, atol=1e-7)

