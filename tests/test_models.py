"""The models: shapes, ranges, layouts, the registry's facts, and configs from before it."""

import importlib
import json
import pathlib
import shutil

from hypothesis import given, settings, strategies as st
import flax
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from configs import v4 as v4_config
from jax_ae.models import networks
from jax_ae.training import train
from jax_ae.workdir import run_files
from jax_ae.workdir import trained
from tests.helpers import ALL_MODELS, tiny_config

TESTDATA = pathlib.Path(__file__).parent / 'testdata'
# Written before the registry (commit 8c106b3), by the code whose checkpoints and
# model.msgpack files exist: each config file's parameter tree at init with key 0.
PARAM_TREES = json.loads((TESTDATA / 'param_trees.json').read_text())
AUTOENCODERS = [name for name in ALL_MODELS if networks.REGISTRY[name].task == 'reconstruct']


def _model(name, **fields):
  model_config = networks.default_model_config(name)
  model_config.update(fields)
  return networks.create_model(model_config)


def _init(model, key, x):
  """model.init jitted, as steps.create_train_state initialises (the eager values,
  bitwise: test_train checks): one compilation, not one per op."""
  return jax.jit(model.init, static_argnames='train')(key, x, train=False)


def _model_and_variables(name, key, **fields):
  model = _model(name, **fields)
  return model, _init(model, key, jnp.zeros((2, networks.IMAGE_PIXELS)))


def _variable_shapes(model):
  """The variables' tree, as ShapeDtypeStructs: init traced, not run."""
  # A literal key in a plain helper: only shapes are traced, so its value never matters.
  return jax.eval_shape(lambda: model.init(jax.random.key(0), jnp.zeros((2, 784)), train=False))


# Initialising these full-size models eagerly takes seconds each on a CPU.
LARGE_CONFIGS = ('conv_ae', 'cnn_fashion', 'hinton2006')


def _slow_if_large(name):
  return pytest.param(name, marks=pytest.mark.slow) if name in LARGE_CONFIGS else name


# v6 and cnn_mnist build the models of conv_ae and cnn_fashion.
@pytest.mark.parametrize('config_name', [_slow_if_large(name) for name in sorted(set(PARAM_TREES) - {'v6', 'cnn_mnist'})])
def test_parameter_names_shapes_and_initialisation_are_unchanged(config_name):
  config = importlib.import_module(f'configs.{config_name}').get_config()
  model = networks.create_model(config.model)
  # Key 0, not make_key: PARAM_TREES recorded each tree at init with key 0.
  variables = _init(model, jax.random.key(0), jnp.zeros((2, networks.IMAGE_PIXELS)))
  flat = flax.traverse_util.flatten_dict(flax.core.unfreeze(jax.device_get(variables)), sep='/')
  expected = PARAM_TREES[config_name]
  assert sorted(flat) == sorted(expected)
  for path, leaf in flat.items():
    leaf = np.asarray(leaf, np.float64)
    assert list(leaf.shape) == expected[path]['shape'], path
    np.testing.assert_allclose(np.sum(np.square(leaf)), expected[path]['sum_of_squares'],
                               rtol=1e-5, err_msg=path)
    scale = np.sqrt(expected[path]['sum_of_squares']) + 1e-12  # sums of zero-mean values
    np.testing.assert_allclose(np.sum(leaf), expected[path]['sum'], atol=1e-5 * scale,
                               err_msg=path)


@pytest.mark.parametrize('name', [pytest.param(name, marks=pytest.mark.slow)
                                  if networks.REGISTRY[name].convolutional
                                  or networks.REGISTRY[name].batch_norm or name in LARGE_CONFIGS
                                  else name for name in ALL_MODELS])
@settings(deadline=None, max_examples=2)
@given(batch_size=st.integers(2, 17), seed=st.integers(0, 2**16))
def test_shapes_follow_the_task_and_outputs_are_finite(name, batch_size, seed):
  # Keys from the drawn seed: hypothesis cannot hand a test the function-scoped make_key.
  key_init, key_data = jax.random.split(jax.random.key(seed))
  model_config = tiny_config(name).model
  model = networks.create_model(model_config)
  x = jax.random.uniform(key_data, (batch_size, networks.IMAGE_PIXELS))
  variables = _init(model, key_init, x)
  width = networks.IMAGE_PIXELS if networks.REGISTRY[name].task == 'reconstruct' else networks.NUM_CLASSES
  # Jitted, as _init: one compilation per batch size, not one per op.
  apply = jax.jit(model.apply, static_argnames=('train', 'mutable', 'method'))
  for train_mode in (False, True):
    output, _ = apply(variables, x, train=train_mode, mutable=('batch_stats',),
                      rngs={'dropout': key_data})
    assert output.shape == (batch_size, width)
    assert bool(jnp.all(jnp.isfinite(output)))
  if networks.REGISTRY[name].task == 'reconstruct':
    code = apply(variables, x, method='encode')
    assert code.shape == (batch_size, model_config.code_dim)
    assert apply(variables, code, method='decode').shape == (batch_size, width)


# V1 (plain) and V4 (BatchNorm's running statistics) in the quick lane; the rest compile longer.
@pytest.mark.parametrize('name', [name if name in ('v1', 'v4') else
                                  pytest.param(name, marks=pytest.mark.slow)
                                  for name in AUTOENCODERS])
def test_autoencoders_inherit_call_as_decode_of_encode(name, make_key):
  """--mode=evaluate encodes the test split once and decodes the codes: that must be __call__."""
  model = networks.create_model(tiny_config(name).model)
  x = jax.random.uniform(make_key(), (5, networks.IMAGE_PIXELS))
  variables = networks.init_variables(model, make_key())
  # Jitted, each on its own (eager convolutions took 10 s): the programs may round
  # differently, a __call__ that is not decode(encode(x)) differs by far more.
  encode = jax.jit(lambda variables, x: model.apply(variables, x, method=model.encode))
  decode = jax.jit(lambda variables, code: model.apply(variables, code, method=model.decode))
  output = jax.jit(model.apply)(variables, x)  # evaluation mode: running statistics
  decoded = decode(variables, encode(variables, x))
  assert output.shape == decoded.shape == (5, networks.IMAGE_PIXELS)
  np.testing.assert_allclose(output, decoded, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('name, fields', [(name, {}) for name in ALL_MODELS] +
                         [('conv_ae', {'batch_norm': False})])
def test_batch_stats_exist_exactly_where_the_registry_says(name, fields):
  variables = _variable_shapes(_model(name, **fields))
  model_config = networks.default_model_config(name)
  model_config.update(fields)
  assert ('batch_stats' in variables) == networks.REGISTRY[name].uses_batch_norm(model_config)


@pytest.mark.parametrize('name', ALL_MODELS)
def test_convolutional_models_are_the_ones_with_conv_kernels(name):
  variables = _variable_shapes(_model(name))
  kernel_ranks = {leaf.ndim for leaf in jax.tree.leaves(variables['params'])}
  assert (4 in kernel_ranks) == networks.REGISTRY[name].convolutional


def test_conv_autoencoder_cannot_take_more_blocks_than_the_registry_allows():
  max_blocks = networks.REGISTRY['conv_ae'].max_blocks
  _variable_shapes(_model('conv_ae', features=(4,) * max_blocks))
  with pytest.raises(TypeError):  # 28 -> ... -> 3 does not upsample back to 28
    _variable_shapes(_model('conv_ae', features=(4,) * (max_blocks + 1)))


def test_default_model_config_holds_only_the_fields_the_model_takes():
  assert set(networks.default_model_config('v1')) == {'name', 'hidden_units', 'code_dim'}
  assert set(networks.default_model_config('v4')) == {'name', 'code_dim', 'hidden_widths'}
  assert set(networks.default_model_config('cnn')) == {'name', 'features', 'dense_units',
                                                     'dropout_rate', 'convs_per_block',
                                                     'test_time_flip'}
  # Activations and initialisers are what make a model that model, not config fields;
  # hinton2006's hidden activation is a record lead, so it is one there.
  assert set(networks.default_model_config('hinton2006')) == {*networks.default_model_config('v3'),
                                                            'dropout_rate', 'hidden_activation',
                                                            'label_weight'}


@pytest.mark.parametrize('name, low, high', [('v2', 0.0, 1.0), ('hinton2006', 0.0, 1.0),
                                             pytest.param('conv_ae', 0.0, 1.0, marks=pytest.mark.slow),
                                             pytest.param('v4', 0.0, np.inf, marks=pytest.mark.slow)])
def test_outputs_lie_in_the_range_of_their_last_activation(name, low, high, make_key):
  model, variables = _model_and_variables(name, make_key())
  x = jax.random.uniform(make_key(), (64, 784)) * 50.0 - 25.0  # far outside [0, 1]
  output, _ = model.apply(variables, x, train=True, mutable=['batch_stats'])
  output = np.asarray(output, np.float64)
  assert output.min() >= low and output.max() <= high
  assert output.max() > low


@pytest.mark.slow
def test_v3_codes_lie_in_unit_interval_and_hinton2006_codes_are_linear(make_key):
  x = jax.random.uniform(make_key(), (64, 784))
  v3, v3_variables = _model_and_variables('v3', make_key())
  code = np.asarray(v3.apply(v3_variables, x, method=v3.encode), np.float64)
  assert code.min() > 0.0 and code.max() < 1.0
  deep, deep_variables = _model_and_variables('hinton2006', make_key())
  code = np.asarray(deep.apply(deep_variables, x, method=deep.encode), np.float64)
  assert code.shape == (64, 30) and code.min() < 0.0  # a linear code, as in the paper


def test_hinton2006_has_the_papers_layer_widths():
  variables = _variable_shapes(_model('hinton2006'))
  kernels = [layer['kernel'].shape for layer in variables['params'].values()]
  assert sorted(kernels) == sorted([(784, 1000), (1000, 500), (500, 250), (250, 30),
                                    (30, 250), (250, 500), (500, 1000), (1000, 784)])


def test_v4_and_v5_batchnorm_layout_matches_the_notebook():
  v4, v5 = _variable_shapes(_model('v4')), _variable_shapes(_model('v5'))
  # 3 encoder + 3 decoder no-affine BatchNorms, plus the affine one on the code.
  assert len(v4['batch_stats']) == 7
  assert set(v4['params']['code_norm']) == {'scale', 'bias'}
  assert {name for name in v4['params'] if 'norm' in name} == {'code_norm'}
  assert set(v5['batch_stats']) == set(v4['batch_stats']) | {'input_norm'}
  assert v5['batch_stats']['input_norm']['mean'].shape == (784,)


@pytest.mark.slow
def test_v1_is_linear(make_key):
  model, variables = _model_and_variables('v1', make_key())
  a, b = jax.random.uniform(make_key(), (2, 3, 784))
  f = lambda x: model.apply(variables, x)
  zero = f(jnp.zeros_like(a))
  np.testing.assert_allclose(f(a + b) - zero, (f(a) - zero) + (f(b) - zero), atol=1e-4)


def test_config_fields_set_the_layer_widths():
  v1 = _variable_shapes(_model('v1', hidden_units=33))
  assert v1['params']['encoder_hidden']['kernel'].shape == (784, 33)
  v4 = _variable_shapes(_model('v4', hidden_widths=(48, 24), code_dim=5))
  assert [v4['params'][f'encoder_layers_{i}']['kernel'].shape for i in range(2)] == \
      [(784, 48), (48, 24)]
  assert v4['params']['encoder_code']['kernel'].shape == (24, 5)


def test_dense_weights_start_as_pytorch_linear(make_key):
  _, variables = _model_and_variables('v3', make_key())
  kernel = np.asarray(variables['params']['encoder_layers_0']['kernel'])  # [784, 1500]
  bound = 1.0 / np.sqrt(784)
  assert np.abs(kernel).max() <= bound
  np.testing.assert_allclose(kernel.std(), bound / np.sqrt(3.0), rtol=0.01)  # uniform std


@pytest.mark.parametrize('features, batch_norm, upsample', [
    ((16, 32), True, 'nearest'), ((8,), False, 'bilinear'), ((4, 8), False, 'nearest')])
def test_conv_autoencoder_pools_down_and_upsamples_back(features, batch_norm, upsample,
                                                        make_key):
  model = _model('conv_ae', features=features, batch_norm=batch_norm, upsample=upsample,
                 hidden_units=32)
  key = make_key()
  _, state = jax.eval_shape(lambda: model.apply(
      model.init(key, jnp.zeros((3, 784))), jnp.zeros((3, 784)),
      capture_intermediates=True, mutable=['intermediates']))
  shapes = {'/'.join(path): value[0].shape for path, value in
            flax.traverse_util.flatten_dict(state['intermediates']).items()}
  side = 28 // 2**len(features)  # each block's pooling halves the side
  smallest = [shape for name, shape in shapes.items() if name.startswith('decoder/Dense_1')]
  assert smallest == [(3, side * side * features[-1])]
  decoder_convs = [shapes[f'decoder/Conv_{i}/__call__'] for i in range(len(features))]
  for i, shape in enumerate(decoder_convs):  # each upsampling doubles it back
    assert shape[1:3] == (side * 2**(i + 1),) * 2


@pytest.mark.parametrize('convs_per_block', (2, 3))
def test_conv_autoencoder_stacks_convs_per_block_at_each_resolution(convs_per_block, make_key):
  features = (4, 8)
  model = _model('conv_ae', features=features, hidden_units=16, convs_per_block=convs_per_block)
  variables = _variable_shapes(model)
  for half in ('encoder', 'decoder'):
    convs = sorted(name for name in variables['params'][half] if name.startswith('Conv_'))
    # The decoder's last conv (to one channel, no BatchNorm) comes on top of the blocks.
    extra = 1 if half == 'decoder' else 0
    assert len(convs) == len(features) * convs_per_block + extra
  # Encoder blocks in order: each width repeated convs_per_block times, then pooled.
  widths = [variables['params']['encoder'][f'Conv_{i}']['kernel'].shape[-1]
            for i in range(len(features) * convs_per_block)]
  assert widths == [w for w in features for _ in range(convs_per_block)]
  x = jax.random.uniform(make_key(), (3, 784))
  out = jax.eval_shape(lambda: model.apply(
      model.init(jax.random.key(0), x), x))
  assert out.shape == (3, 784)


@pytest.mark.slow
@pytest.mark.parametrize('features', ((32, 64), (8,)))
def test_cnn_classifier_pools_per_block_and_drops_out_only_in_training(features, make_key):
  model, variables = _model_and_variables('cnn', make_key(), features=features, dense_units=16,
                                          dropout_rate=0.5)
  x = jax.random.uniform(make_key(), (5, 784))
  side = 28 // 2**len(features)
  assert variables['params']['Dense_0']['kernel'].shape == (side * side * features[-1], 16)
  # Dropout draws from the 'dropout' key in training, and is off in evaluation.
  for train_mode, differs in ((True, True), (False, False)):
    logits = [model.apply(variables, x, train=train_mode, mutable=['batch_stats'],
                          rngs={'dropout': make_key()})[0] for _ in range(2)]
    assert (not np.allclose(logits[0], logits[1])) == differs


def test_hinton2006_drops_hidden_units_only_in_training_and_not_at_rate_zero(make_key):
  x = jax.random.uniform(make_key(), (5, 784))
  for rate, differs in ((0.5, True), (0.0, False)):
    model, variables = _model_and_variables('hinton2006', make_key(), hidden_widths=(32, 16),
                                            code_dim=4, dropout_rate=rate)
    evaluation = model.apply(variables, x)
    training = [model.apply(variables, x, train=True, rngs={'dropout': make_key()})
                for _ in range(2)]
    # Two keys draw two masks in training; evaluation is the whole network, always.
    assert (not np.allclose(training[0], training[1])) == differs
    assert (not np.allclose(training[0], evaluation)) == differs
    np.testing.assert_array_equal(model.apply(variables, x), evaluation)


@pytest.mark.parametrize('activation', sorted(networks.HIDDEN_ACTIVATIONS))
def test_hinton2006_applies_its_hidden_activation_after_every_hidden_layer_only(activation,
                                                                               make_key):
  model, variables = _model_and_variables('hinton2006', make_key(), hidden_widths=(32, 16),
                                          code_dim=4, hidden_activation=activation)
  x = jax.random.uniform(make_key(), (5, 784))
  params = variables['params']
  layer = lambda name, h: h @ params[name]['kernel'] + params[name]['bias']
  act = networks.HIDDEN_ACTIVATIONS[activation]
  h = x
  for name in ('encoder_layers_0', 'encoder_layers_1'):
    h = act(layer(name, h))
  code = layer('encoder_code', h)  # linear, as in the paper
  for name in ('decoder_layers_0', 'decoder_layers_1'):
    code = act(layer(name, code))
  expected = jax.nn.sigmoid(layer('decoder_output', code))
  np.testing.assert_allclose(jax.jit(model.apply)(variables, x), expected, rtol=1e-5, atol=1e-6)


def test_cnn_classifier_stacks_convs_per_block_and_keeps_names_at_one():
  one = _variable_shapes(_model('cnn', features=(4, 8), dense_units=8))
  two = _variable_shapes(_model('cnn', features=(4, 8), dense_units=8, convs_per_block=2))
  assert [name for name in one['params'] if name.startswith('Conv')] == ['Conv_0', 'Conv_1']
  assert [two['params'][f'Conv_{index}']['kernel'].shape for index in range(4)] == [
      (3, 3, 1, 4), (3, 3, 4, 4), (3, 3, 4, 8), (3, 3, 8, 8)]


def test_cnn_test_time_flip_averages_the_logits_of_image_and_mirror_in_evaluation_only(make_key):
  model, variables = _model_and_variables('cnn', make_key(), features=(4,), dense_units=8)
  flipping = _model('cnn', features=(4,), dense_units=8, test_time_flip=True)
  images = jax.random.uniform(make_key(), (3, 28, 28))
  mirrors = images[:, :, ::-1]
  plain = lambda x: model.apply(variables, x.reshape(3, 784))  # noqa: E731
  np.testing.assert_allclose(flipping.apply(variables, images.reshape(3, 784)),
                             0.5 * (plain(images) + plain(mirrors)), rtol=1e-5, atol=1e-6)
  # A mirror's evaluation is its original's; training sees one view, as without the flag.
  np.testing.assert_allclose(flipping.apply(variables, mirrors.reshape(3, 784)),
                             flipping.apply(variables, images.reshape(3, 784)), rtol=1e-5, atol=1e-6)
  assert not np.allclose(plain(images), plain(mirrors))
  trained = lambda module: module.apply(variables, images.reshape(3, 784), train=True,  # noqa: E731
                                        mutable=['batch_stats'])[0]
  np.testing.assert_array_equal(trained(flipping), trained(model))


# config.json files written by main.py before the registry, when config.model held
# every model's fields (tests/testdata/old_config_*.json, from commit 8c106b3).
def _old_config(name):
  return ml_collections.ConfigDict(json.loads((TESTDATA / f'old_config_{name}.json').read_text()))


@pytest.mark.parametrize('name', ('v4', 'cnn'))
def test_a_config_json_from_before_the_registry_builds_the_same_model(name):
  old, new = _old_config(name), tiny_config(name)
  assert set(old.model) - set(new.model)  # fields of every model, not only this one's
  if name == 'v4':  # the old file's code size, and the widths it leaves to the default
    new.model.code_dim = 4
    new.model.hidden_widths = networks.default_model_config('v4').hidden_widths
  old_tree, new_tree = (_variable_shapes(networks.create_model(config.model))
                        for config in (old, new))
  assert old_tree == new_tree


def _v4_run_config(num_epochs):
  """configs/v4.py with the tiny sizes of tests/testdata/old_config_v4.json."""
  config = v4_config.get_config()
  config.model.code_dim = 4
  config.batch_size = 8
  config.eval_batch_size = 16
  config.num_reconstructions = 4
  config.num_epochs = num_epochs
  return config


@pytest.mark.slow
def test_a_workdir_from_before_the_registry_resumes_and_evaluates(tmp_path, mock_tfds):
  del mock_tfds
  workdir = tmp_path / 'v4'
  train.train_and_evaluate(_v4_run_config(num_epochs=1), str(workdir))
  shutil.copy(TESTDATA / 'old_config_v4.json', workdir / 'config.json')
  # What --mode=evaluate does with a classifier's workdir: its own config.json builds it.
  model, variables = trained.load_trained_model(run_files.load_run_config(str(workdir)),
                                                 str(workdir))
  assert model.apply(variables, jnp.zeros((3, 784))).shape == (3, 784)
  state = train.train_and_evaluate(_v4_run_config(num_epochs=2), str(workdir))  # resumes
  assert int(state.step) == 2 * (24 // 8)
  rows = run_files.RunFiles(str(workdir), writes=False).read_metrics()
  assert [row['epoch'] for row in rows] == [1, 2]


@pytest.mark.slow
def test_a_classifier_workdir_from_before_the_registry_still_judges(tmp_path):
  shapes = _variable_shapes(networks.create_model(tiny_config('cnn').model))
  variables = jax.tree.map(lambda shape: np.zeros(shape.shape, shape.dtype), shapes)
  tmp_path.joinpath(run_files.MODEL_FILE).write_bytes(flax.serialization.to_bytes(variables))
  shutil.copy(TESTDATA / 'old_config_cnn.json', tmp_path / run_files.CONFIG_FILE)
  predict = trained.load_classifier(str(tmp_path), 'mnist')
  assert predict(jnp.zeros((3, 784))).shape == (3, networks.NUM_CLASSES)
