"""The notebook's autoencoders, one Linen module per experiment version.

Every module maps flattened images `x: [batch, 784] float32 in [0, 1]` to a code
`[batch, code_dim]` (`encode`) and back to `[batch, 784]` (`decode`); `__call__` is
`decode(encode(x))`. All take `train`, which only the BatchNorm versions (V4, V5)
use: batch statistics when training, running averages in the `batch_stats`
collection otherwise.

Dense layers start as PyTorch's `nn.Linear` weights do (uniform in +-1/sqrt(fan_in),
a third of the variance of Flax's default), biases at zero. Before BatchNorm the
weight scale sets the effective step size; with Flax's default init V4/V5 reach
0.019/0.021 after 5 epochs instead of the notebook's PyTorch 0.0165/0.0172.
"""

import functools

from typing import Sequence

import flax.linen as nn
import jax
import ml_collections

from jax_ae.layers import TorchBatchNorm

IMAGE_PIXELS = 784

Dense = functools.partial(
    nn.Dense, kernel_init=nn.initializers.variance_scaling(1.0 / 3.0, 'fan_in', 'uniform'))


class AutoencoderV1(nn.Module):
  """V1, the baseline: a linear autoencoder, 784 -> H -> code -> H -> 784.

  With no non-linearity it can at best match PCA with `code_dim` components.
  """

  hidden_units: int = 128
  code_dim: int = 10

  def setup(self):
    self.encoder_hidden = Dense(self.hidden_units)
    self.encoder_code = Dense(self.code_dim)
    self.decoder_hidden = Dense(self.hidden_units)
    self.decoder_output = Dense(IMAGE_PIXELS)

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.encoder_code(self.encoder_hidden(x))

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    return self.decoder_output(self.decoder_hidden(code))

  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.decode(self.encode(x, train), train)


class AutoencoderV2(AutoencoderV1):
  """V2: V1 plus a sigmoid after each hidden layer and on the output.

  The output sigmoid keeps reconstructions in (0, 1), the range of the pixels.
  """

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.encoder_code(nn.sigmoid(self.encoder_hidden(x)))

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    return nn.sigmoid(self.decoder_output(nn.sigmoid(self.decoder_hidden(code))))


class AutoencoderV3(nn.Module):
  """V3: deep and wide, 784-1500-1000-500-code, ReLU between layers.

  A sigmoid squashes the code into (0, 1); the decoder mirrors the encoder with a
  linear output. The notebook also halved the learning rate every 50 epochs (see
  configs/v3.py). `hidden_units` is not used: the widths are the notebook's.
  """

  code_dim: int = 20
  hidden_widths: Sequence[int] = (1500, 1000, 500)

  def setup(self):
    self.encoder_layers = [Dense(width) for width in self.hidden_widths]
    self.encoder_code = Dense(self.code_dim)
    self.decoder_layers = [Dense(width) for width in reversed(self.hidden_widths)]
    self.decoder_output = Dense(IMAGE_PIXELS)

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    for layer in self.encoder_layers:
      x = nn.relu(layer(x))
    return nn.sigmoid(self.encoder_code(x))

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    for layer in self.decoder_layers:
      code = nn.relu(layer(code))
    return self.decoder_output(code)

  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.decode(self.encode(x, train), train)


class AutoencoderV4(nn.Module):
  """V4: a narrow funnel 784-128-64-32-code with BatchNorm after every layer.

  As in the notebook: the first encoder block is Dense then BatchNorm with no ReLU;
  the others are Dense, ReLU, BatchNorm. Every BatchNorm is PyTorch's
  `affine=False` except the one on the code, which learns a scale and a bias. The
  decoder ends in a ReLU, so reconstructions are non-negative.
  """

  code_dim: int = 16
  hidden_widths: Sequence[int] = (128, 64, 32)

  def setup(self):
    self.encoder_layers = [Dense(width) for width in self.hidden_widths]
    self.encoder_norms = [TorchBatchNorm() for _ in self.hidden_widths]
    self.encoder_code = Dense(self.code_dim)
    self.code_norm = TorchBatchNorm(use_scale_and_bias=True)
    decoder_widths = list(reversed(self.hidden_widths))
    self.decoder_layers = [Dense(width) for width in decoder_widths]
    self.decoder_norms = [TorchBatchNorm() for _ in decoder_widths]
    self.decoder_output = Dense(IMAGE_PIXELS)

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    for index, (layer, norm) in enumerate(zip(self.encoder_layers, self.encoder_norms)):
      x = layer(x)
      if index > 0:
        x = nn.relu(x)
      x = norm(x, train)
    return self.code_norm(self.encoder_code(x), train)

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    for layer, norm in zip(self.decoder_layers, self.decoder_norms):
      code = norm(nn.relu(layer(code)), train)
    return nn.relu(self.decoder_output(code))

  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.decode(self.encode(x, train), train)


class AutoencoderV5(AutoencoderV4):
  """V5: V4 with the input itself batch-normalised (BatchNorm(784), no affine)."""

  def setup(self):
    super().setup()
    self.input_norm = TorchBatchNorm()

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    return super().encode(self.input_norm(x, train), train)


MODELS = {
    'v1': AutoencoderV1,
    'v2': AutoencoderV2,
    'v3': AutoencoderV3,
    'v4': AutoencoderV4,
    'v5': AutoencoderV5,
}


def create_model(model_config: ml_collections.ConfigDict) -> nn.Module:
  """Builds the module named by `model_config.name` with its configured sizes."""
  model_class = MODELS[model_config.name]
  kwargs = {'code_dim': model_config.code_dim}
  if model_class in (AutoencoderV1, AutoencoderV2):
    kwargs['hidden_units'] = model_config.hidden_units
  return model_class(**kwargs)
