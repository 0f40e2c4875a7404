"""Layers the notebook's PyTorch models relied on that Flax does not provide as-is."""

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp


class TorchBatchNorm(nn.Module):
  """BatchNorm over the batch axis with PyTorch `BatchNorm1d` semantics.

  Flax's `nn.BatchNorm` and PyTorch agree on normalising a training batch with its
  *biased* variance, but differ in the running variance they keep for evaluation:
  Flax averages the biased variance, PyTorch the *unbiased* one (`n / (n - 1)`
  times larger). The notebook's V4/V5 were trained with PyTorch, so this layer keeps
  PyTorch's rule; everything else follows Flax's conventions:

  - running statistics live in the `batch_stats` collection as `mean` and `var`,
    initialised to 0 and 1, and change only when `train=True` and the collection is
    mutable (the train step);
  - `momentum` is Flax's (weight of the old average): 0.9 equals PyTorch's 0.1;
  - `use_scale_and_bias=False` is PyTorch's `affine=False`.

  Under a sharded `jit` the batch mean is that of the global batch, as on one device.
  """

  use_scale_and_bias: bool = False
  momentum: float = 0.9
  epsilon: float = 1e-5
  dtype: Any = jnp.float32

  @nn.compact
  def __call__(self, x: jax.Array, train: bool) -> jax.Array:
    """x: [batch, features]; returns the normalised x, same shape."""
    num_features = x.shape[-1]
    running_mean = self.variable(
        'batch_stats', 'mean', lambda: jnp.zeros((num_features,), jnp.float32))
    running_var = self.variable(
        'batch_stats', 'var', lambda: jnp.ones((num_features,), jnp.float32))

    if train:
      batch_size = x.shape[0]
      if batch_size < 2:
        raise ValueError(
            'BatchNorm needs at least 2 examples per training batch to estimate a '
            f'variance; got a batch of {batch_size}.')
      mean = jnp.mean(x, axis=0)
      biased_var = jnp.mean(jnp.square(x - mean), axis=0)
      if not self.is_initializing():
        unbiased_var = biased_var * (batch_size / (batch_size - 1))
        running_mean.value = (
            self.momentum * running_mean.value + (1.0 - self.momentum) * mean)
        running_var.value = (
            self.momentum * running_var.value + (1.0 - self.momentum) * unbiased_var)
      var = biased_var
    else:
      mean, var = running_mean.value, running_var.value

    y = (x - mean) * jax.lax.rsqrt(var + self.epsilon)
    if self.use_scale_and_bias:
      scale = self.param('scale', nn.initializers.ones, (num_features,), jnp.float32)
      bias = self.param('bias', nn.initializers.zeros, (num_features,), jnp.float32)
      y = y * scale + bias
    return y.astype(self.dtype)
