"""TorchBatchNorm follows PyTorch's BatchNorm1d/2d, which Flax's BatchNorm does not; pooling and upsampling."""

import flax.linen as nn
from hypothesis import given, settings, strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jax_ae.models import layers
from jax_ae.models.layers import TorchBatchNorm


def _init_and_train_once(layer, x, key):
  # Jitted: one compilation per drawn shape rather than one per op.
  variables = jax.jit(lambda key, x: layer.init(key, x, train=False))(key, x)
  _, updates = jax.jit(lambda variables, x: layer.apply(
      variables, x, train=True, mutable=['batch_stats']))(variables, x)
  return variables, updates['batch_stats']


@pytest.mark.slow
@settings(deadline=None, max_examples=15)
@given(batch_size=st.integers(2, 64), features=st.integers(1, 8), seed=st.integers(0, 2**16))
def test_running_stats_follow_pytorch_rule(batch_size, features, seed):
  # Keys from the drawn seed: hypothesis cannot hand a test the function-scoped make_key.
  data_key, init_key = jax.random.split(jax.random.key(seed))
  x = jax.random.normal(data_key, (batch_size, features)) * 3.0 + 1.5
  variables, new_stats = _init_and_train_once(TorchBatchNorm(), x, init_key)
  x64 = np.asarray(x, np.float64)
  # PyTorch: running = (1 - 0.1) * running + 0.1 * batch, with the *unbiased* variance.
  expected_mean = 0.9 * 0.0 + 0.1 * x64.mean(axis=0)
  expected_var = 0.9 * 1.0 + 0.1 * x64.var(axis=0, ddof=1)
  np.testing.assert_allclose(new_stats['mean'], expected_mean, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(new_stats['var'], expected_var, rtol=1e-5, atol=1e-6)
  assert not variables['batch_stats']['mean'].any()  # init does not update


def test_flax_batchnorm_keeps_the_biased_variance_so_ours_differs(make_key):
  x = jax.random.normal(make_key(), (4, 3))
  flax_layer = nn.BatchNorm(use_running_average=False, momentum=0.9, epsilon=1e-5)
  flax_variables = flax_layer.init(make_key(), x)
  _, flax_stats = flax_layer.apply(flax_variables, x, mutable=['batch_stats'])
  _, ours = _init_and_train_once(TorchBatchNorm(), x, make_key())
  biased, unbiased = np.var(np.asarray(x), axis=0), np.var(np.asarray(x), axis=0, ddof=1)
  np.testing.assert_allclose(flax_stats['batch_stats']['var'], 0.9 + 0.1 * biased, rtol=1e-5)
  np.testing.assert_allclose(ours['var'], 0.9 + 0.1 * unbiased, rtol=1e-5)


def test_training_normalises_with_biased_batch_variance(make_key):
  x = jax.random.normal(make_key(), (16, 5)) * 2.0 + 3.0
  variables = TorchBatchNorm().init(make_key(), x, train=False)
  y, _ = TorchBatchNorm().apply(variables, x, train=True, mutable=['batch_stats'])
  x64 = np.asarray(x, np.float64)
  expected = (x64 - x64.mean(0)) / np.sqrt(x64.var(0) + 1e-5)
  np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)


def test_evaluation_uses_running_stats_per_example_and_changes_nothing(make_key):
  layer = TorchBatchNorm(use_scale_and_bias=True)
  x = jax.random.normal(make_key(), (10, 6))
  variables, new_stats = _init_and_train_once(layer, x, make_key())
  variables = {**variables, 'batch_stats': new_stats}
  y, updates = layer.apply(variables, x, train=False, mutable=['batch_stats'])
  jax.tree.map(np.testing.assert_array_equal, updates['batch_stats'], new_stats)
  one_at_a_time = jnp.concatenate([layer.apply(variables, x[i:i + 1], train=False)
                                   for i in range(x.shape[0])])
  np.testing.assert_allclose(y, one_at_a_time, rtol=1e-6)


def test_affine_flag_adds_scale_and_bias_only_when_asked(make_key):
  x = jnp.ones((4, 3))
  assert 'params' not in TorchBatchNorm().init(make_key(), x, train=False)
  params = TorchBatchNorm(use_scale_and_bias=True).init(make_key(), x, train=False)['params']
  assert set(params) == {'scale', 'bias'}


def test_training_batch_of_one_is_refused(make_key):
  with pytest.raises(ValueError, match='at least 2'):
    TorchBatchNorm().init_with_output(make_key(), jnp.ones((1, 3)), train=True,
                                      mutable=['batch_stats'])


@pytest.mark.slow
@settings(deadline=None, max_examples=10)
@given(height=st.integers(2, 9), width=st.integers(2, 9), seed=st.integers(0, 2**16))
def test_max_pool_2x2_halves_and_matches_flax(height, width, seed):
  # A key from the drawn seed: hypothesis cannot hand a test the function-scoped make_key.
  x = jax.random.normal(jax.random.key(seed), (2, height, width, 3))
  pooled = jax.jit(layers.max_pool_2x2)(x)
  assert pooled.shape == (2, height // 2, width // 2, 3)
  np.testing.assert_array_equal(pooled, jax.jit(lambda x: nn.max_pool(x, (2, 2), (2, 2)))(x))


@pytest.mark.parametrize('method', layers.UPSAMPLING)
def test_upsample_2x_doubles_and_matches_jax_image_resize(method, make_key):
  x = jax.random.normal(make_key(), (2, 7, 5, 3))
  upsampled = layers.upsample_2x(x, method)
  assert upsampled.shape == (2, 14, 10, 3)
  np.testing.assert_allclose(upsampled, jax.image.resize(x, (2, 14, 10, 3), method),
                             rtol=1e-6, atol=1e-6)


def test_batchnorm_on_feature_maps_keeps_per_channel_unbiased_statistics(make_key):
  x = jax.random.normal(make_key(), (4, 3, 3, 2)) * jnp.array([1.0, 5.0]) + jnp.array([0.0, 2.0])
  norm = layers.TorchBatchNorm()
  variables = norm.init(make_key(), x, train=False)
  y, updates = norm.apply(variables, x, train=True, mutable=['batch_stats'])
  flat = np.asarray(x, np.float64).reshape(-1, 2)  # PyTorch BatchNorm2d: over N, H, W
  np.testing.assert_allclose(updates['batch_stats']['mean'], 0.1 * flat.mean(0), rtol=1e-5)
  np.testing.assert_allclose(updates['batch_stats']['var'], 0.9 + 0.1 * flat.var(0, ddof=1),
                             rtol=1e-5)
  np.testing.assert_allclose(np.asarray(y).reshape(-1, 2).mean(0), 0.0, atol=1e-5)


def test_a_constant_feature_normalises_to_zero_not_nan(make_key):
  # E[x^2] - E[x]^2 of a constant can round below 0; the variance is clipped there.
  x = jnp.concatenate([jax.random.normal(make_key(), (64, 3)),
                       jnp.full((64, 1), 1000.3)], axis=1)
  variables = TorchBatchNorm().init(make_key(), x, train=False)
  y, stats = TorchBatchNorm().apply(variables, x, train=True, mutable=['batch_stats'])
  assert np.all(np.isfinite(y))
  np.testing.assert_allclose(y[:, 3], 0.0, atol=0.1)
  assert stats['batch_stats']['var'][3] >= 0.9
