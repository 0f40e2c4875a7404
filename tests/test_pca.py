"""PCA in JAX against numpy's SVD, and the bound it sets on linear autoencoders."""

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jax_ae.figures import pca


def _correlated_data(key, num_examples=400, features=24):
  mixing_key, data_key = jax.random.split(key)
  mixing = jax.random.normal(mixing_key, (features, features)) * jnp.linspace(2.0, 0.05, features)
  return jax.random.normal(data_key, (num_examples, features)) @ mixing.T + 3.0


def test_components_are_orthonormal_and_match_numpy_svd(make_key):
  data = _correlated_data(make_key())
  fitted = pca.fit(data, 5)
  np.testing.assert_allclose(fitted.components @ fitted.components.T, np.eye(5), atol=1e-5)
  centred = np.asarray(data, np.float64) - np.asarray(data, np.float64).mean(0)
  _, _, right = np.linalg.svd(centred, full_matrices=False)
  projection = right[:5].T @ right[:5]
  np.testing.assert_allclose(np.asarray(fitted.components.T @ fitted.components), projection,
                             atol=1e-4)
  expected_error = np.mean(np.square(centred @ projection - centred))
  np.testing.assert_allclose(pca.mean_squared_error(fitted, data), expected_error, rtol=1e-4)


def test_all_components_reconstruct_exactly(make_key):
  data = _correlated_data(make_key(), features=8)
  assert float(pca.mean_squared_error(pca.fit(data, 8), data)) < 1e-8


def test_a_trained_linear_autoencoder_does_not_beat_pca(make_key):
  data = _correlated_data(make_key())
  code_dim = 4
  bound = float(pca.mean_squared_error(pca.fit(data, code_dim), data))
  keys = jax.random.split(make_key(), 2)
  params = {'encoder': jax.random.normal(keys[0], (24, code_dim)) * 0.1,
            'decoder': jax.random.normal(keys[1], (code_dim, 24)) * 0.1,
            'encoder_bias': jnp.zeros(code_dim), 'decoder_bias': jnp.zeros(24)}

  def loss(params):
    codes = data @ params['encoder'] + params['encoder_bias']
    return jnp.mean(jnp.square(codes @ params['decoder'] + params['decoder_bias'] - data))

  optimizer = optax.adam(3e-2)

  @jax.jit
  def step(params, opt_state):
    value, grads = jax.value_and_grad(loss)(params)
    updates, opt_state = optimizer.update(grads, opt_state)
    return optax.apply_updates(params, updates), opt_state, value

  opt_state = optimizer.init(params)
  for _ in range(1500):
    params, opt_state, value = step(params, opt_state)
  final = float(loss(params))
  assert final >= bound * (1 - 1e-4)  # never below the bound...
  assert final <= bound * 1.05  # ...and training does get close to it
