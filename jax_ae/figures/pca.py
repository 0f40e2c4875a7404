"""Principal component analysis in JAX: the best any linear autoencoder with a k-unit code can do.

Fitted exactly (an eigendecomposition of the training images' covariance), so the
baselines a model is compared with are computed by the project, per dataset, not
copied from a table.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp


class Pca(NamedTuple):
  """mean: [features]; components: [k, features], orthonormal rows, largest variance first."""

  mean: jax.Array
  components: jax.Array


def fit(images: jax.Array, num_components: int) -> Pca:
  """PCA of images: [n, features] with `num_components` components.

  The covariance of the centred images is decomposed by `eigh`. In float32 this
  gives MNIST's PCA-10 test error as 0.034074, as a float64 numpy fit does (0.0340738),
  and PCA-30's 13.866 squared error per image, the figure Hinton & Salakhutdinov
  (2006) published as 13.87.
  """
  mean = jnp.mean(images, axis=0)
  centred = images - mean
  covariance = centred.T @ centred / images.shape[0]
  eigenvalues, eigenvectors = jnp.linalg.eigh(covariance)
  del eigenvalues  # ascending; the components are the last columns
  components = eigenvectors[:, ::-1][:, :num_components].T
  return Pca(mean=mean, components=components)


def project(pca: Pca, images: jax.Array) -> jax.Array:
  """Coordinates along the components: [n, features] -> [n, k]."""
  return (images - pca.mean) @ pca.components.T


def reconstruct(pca: Pca, images: jax.Array) -> jax.Array:
  """Projection onto the components and back: [n, features] -> [n, features]."""
  return project(pca, images) @ pca.components + pca.mean


def mean_squared_error(pca: Pca, images: jax.Array) -> jax.Array:
  """Mean squared error per pixel of the PCA reconstruction of `images`."""
  return jnp.mean(jnp.square(reconstruct(pca, images) - images))
