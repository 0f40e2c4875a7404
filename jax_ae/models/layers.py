"""Layers the notebook's PyTorch models relied on that Flax does not provide as-is."""

from typing import Any, Optional

import flax.linen as nn
import jax
import jax.numpy as jnp


class TorchBatchNorm(nn.Module):
  """BatchNorm with PyTorch `BatchNorm1d`/`BatchNorm2d` semantics, per feature or channel.

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
  dtype: Optional[Any] = None  # None: the input's dtype (float64 stays float64)

  @nn.compact
  def __call__(self, x: jax.Array, train: bool) -> jax.Array:
    """x: [batch, features] or [batch, height, width, features]; returns x normalised.

    Statistics are per feature (channel), over every other axis, as PyTorch's
    BatchNorm1d and BatchNorm2d compute them.
    """
    num_features = x.shape[-1]
    reduction_axes = tuple(range(x.ndim - 1))
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
      num_values = x.size // num_features
      # Both statistics from one read of x (as Flax's BatchNorm by default): E[x^2] - E[x]^2
      # rather than E[(x - E[x])^2], which needs the mean before it can start; clipped at
      # 0 where rounding takes a constant feature's variance below it.
      mean = jnp.mean(x, axis=reduction_axes)
      mean_of_squares = jnp.mean(jnp.square(x), axis=reduction_axes)
      biased_var = jnp.maximum(mean_of_squares - jnp.square(mean), 0.0)
      if not self.is_initializing():
        unbiased_var = biased_var * (num_values / (num_values - 1))
        running_mean.value = (
            self.momentum * running_mean.value + (1.0 - self.momentum) * mean)
        running_var.value = (
            self.momentum * running_var.value + (1.0 - self.momentum) * unbiased_var)
      var = biased_var
      # Recorded only where the 'diagnostics' collection is mutable (diagnostics.py);
      # elsewhere `sow` does nothing and the compiled step is unchanged.
      if not self.is_initializing():
        self.sow('diagnostics', 'batch_variance', biased_var)
    else:
      mean, var = running_mean.value, running_var.value

    # y = (x - mean) / sqrt(var + eps) * scale + bias, as one multiply and one add per
    # value: the per-feature factors are folded first.
    multiplier = jax.lax.rsqrt(var + self.epsilon)
    if self.use_scale_and_bias:
      scale = self.param('scale', nn.initializers.ones, (num_features,), jnp.float32)
      bias = self.param('bias', nn.initializers.zeros, (num_features,), jnp.float32)
      multiplier = multiplier * scale
      y = x * multiplier + (bias - mean * multiplier)
    else:
      y = x * multiplier - mean * multiplier
    if train and not self.is_initializing():
      self.sow('diagnostics', 'max_abs_output', jnp.max(jnp.abs(y)))
    return y if self.dtype is None else y.astype(self.dtype)


def relu(module: nn.Module, x: jax.Array, after: str = '') -> jax.Array:
  """`nn.relu` inside `module`'s method, recording which units are dead for diagnostics.py.

  A unit is dead on a batch when its output is zero for every example (and position):
  it passes no gradient back. `after` names the layer the ReLU follows (diagnostics
  report `dead_relu_fraction/<module>/<after>`); calls without it are numbered in call
  order. Recorded only where the 'diagnostics' collection is mutable.
  """
  y = nn.relu(x)
  if not module.is_initializing():  # init makes every collection mutable: keep it out
    module.sow('diagnostics', f'relu_dead:{after}' if after else 'relu_dead',
               jnp.all(y == 0, axis=tuple(range(y.ndim - 1))))
  return y


def max_pool_2x2(x: jax.Array) -> jax.Array:
  """2x2 max pooling, stride 2: [b, h, w, c] -> [b, h // 2, w // 2, c] (odd edges dropped).

  Same values as `nn.max_pool(x, (2, 2), (2, 2))`, written as a reshape and a max:
  on XLA:CPU the gradient of `reduce_window` (select-and-scatter) made a small CNN's
  train step 1.7x slower than this form.
  """
  batch, height, width, channels = x.shape
  height, width = height // 2 * 2, width // 2 * 2
  x = x[:, :height, :width]
  return x.reshape(batch, height // 2, 2, width // 2, 2, channels).max(axis=(2, 4))


UPSAMPLING = ('nearest', 'bilinear')


def upsample_2x(x: jax.Array, method: str) -> jax.Array:
  """Doubles height and width: [b, h, w, c] -> [b, 2h, 2w, c].

  'nearest' repeats each pixel (what `jax.image.resize(..., 'nearest')` gives at
  this scale, 50x faster on XLA:CPU); 'bilinear' is `jax.image.resize`'s.
  """
  if method == 'nearest':
    return jnp.repeat(jnp.repeat(x, 2, axis=1), 2, axis=2)
  batch, height, width, channels = x.shape
  return jax.image.resize(x, (batch, 2 * height, 2 * width, channels), method)
