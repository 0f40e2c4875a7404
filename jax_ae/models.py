"""The notebook's models, one Linen module per version, its to-do list's CNNs, and Hinton 2006's.

Every module takes flattened images `x: [batch, 784] float32 in [0, 1]`, the one
format the data, train step and pictures share. The autoencoders map them to a code
`[batch, code_dim]` (`encode`) and back to `[batch, 784]` (`decode`); `__call__` is
`decode(encode(x))`. The convolutional models reshape to [batch, 28, 28, 1] inside.
The classifier returns logits `[batch, 10]`. All take `train`, which only models
with BatchNorm or dropout use: batch statistics (and dropout) when training,
running averages in the `batch_stats` collection otherwise.

V1-V5's dense layers start as PyTorch's `nn.Linear` weights do (uniform in
+-1/sqrt(fan_in), a third of the variance of Flax's default), biases at zero, to
match the notebook: before BatchNorm the weight scale sets the effective step size,
and with Flax's default init V4/V5 reach 0.019/0.021 after 5 epochs instead of the
notebook's PyTorch 0.0165/0.0172. The CNNs and the Hinton & Salakhutdinov network,
which the notebook never trained, use Flax's defaults.
"""

import functools

from typing import Sequence, Tuple

import flax.linen as nn
import jax
import ml_collections

from jax_ae import layers
from jax_ae.layers import TorchBatchNorm

IMAGE_SIDE = 28
IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE
NUM_CLASSES = 10

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


class DeepAutoencoder(nn.Module):
  """Hinton & Salakhutdinov (Science, 2006): 784-1000-500-250-30 and its mirror image.

  The paper's layers are logistic except the linear code, pretrained as a stack of
  RBMs and then fine-tuned. We train end to end from a random start with Adam, so
  the hidden layers are ReLU (deep logistic stacks learn slowly from a random start,
  which is why the paper needed pretraining); the code stays linear, as in the paper,
  and a sigmoid on the output keeps pixels in (0, 1). Flax's default initialisation
  (LeCun normal); no BatchNorm: the paper's widths and linear code, nothing added.
  """

  code_dim: int = 30
  hidden_widths: Sequence[int] = (1000, 500, 250)

  def setup(self):
    self.encoder_layers = [nn.Dense(width) for width in self.hidden_widths]
    self.encoder_code = nn.Dense(self.code_dim)
    self.decoder_layers = [nn.Dense(width) for width in reversed(self.hidden_widths)]
    self.decoder_output = nn.Dense(IMAGE_PIXELS)

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    for layer in self.encoder_layers:
      x = nn.relu(layer(x))
    return self.encoder_code(x)

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    for layer in self.decoder_layers:
      code = nn.relu(layer(code))
    return nn.sigmoid(self.decoder_output(code))

  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.decode(self.encode(x, train), train)


def _as_images(x: jax.Array) -> jax.Array:
  return x.reshape(x.shape[0], IMAGE_SIDE, IMAGE_SIDE, 1)


def _normalized_relu(x: jax.Array, batch_norm: bool, train: bool) -> jax.Array:
  if batch_norm:
    x = TorchBatchNorm(use_scale_and_bias=True)(x, train)
  return nn.relu(x)


def _conv_block(x: jax.Array, width: int, batch_norm: bool, train: bool) -> jax.Array:
  """3x3 convolution, [BatchNorm with scale and bias], ReLU; called inside a compact method."""
  return _normalized_relu(nn.Conv(width, (3, 3), use_bias=not batch_norm)(x), batch_norm, train)


def _dense_block(x: jax.Array, width: int, batch_norm: bool, train: bool) -> jax.Array:
  return _normalized_relu(nn.Dense(width, use_bias=not batch_norm)(x), batch_norm, train)


class ConvEncoder(nn.Module):
  """[batch, 784] -> per width: conv block, 2x2 max pool (28 -> 14 -> 7) -> dense -> linear code."""

  code_dim: int
  features: Tuple[int, ...]
  hidden_units: int
  batch_norm: bool

  @nn.compact
  def __call__(self, x: jax.Array, train: bool) -> jax.Array:
    x = _as_images(x)
    for width in self.features:
      x = layers.max_pool_2x2(_conv_block(x, width, self.batch_norm, train))
    x = _dense_block(x.reshape(x.shape[0], -1), self.hidden_units, self.batch_norm, train)
    return nn.Dense(self.code_dim)(x)


class ConvDecoder(nn.Module):
  """code -> dense -> dense to the smallest map -> per width: upsample, conv block -> [batch, 784]."""

  features: Tuple[int, ...]
  hidden_units: int
  batch_norm: bool
  upsample: str

  @nn.compact
  def __call__(self, code: jax.Array, train: bool) -> jax.Array:
    side = IMAGE_SIDE // 2**len(self.features)
    x = _dense_block(code, self.hidden_units, self.batch_norm, train)
    x = _dense_block(x, side * side * self.features[-1], self.batch_norm, train)
    x = x.reshape(code.shape[0], side, side, self.features[-1])
    for width in reversed(self.features):
      x = _conv_block(layers.upsample_2x(x, self.upsample), width, self.batch_norm, train)
    x = nn.Conv(1, (3, 3))(x)
    return nn.sigmoid(x).reshape(code.shape[0], IMAGE_PIXELS)


class ConvAutoencoder(nn.Module):
  """The to-do list's CNN autoencoder: conv blocks and max pooling down, upsampling up.

  Encoder: per entry of `features`, a 3x3 convolution, [BatchNorm], ReLU and 2x2 max
  pooling (28 -> 14 -> 7), then a ReLU dense layer of `hidden_units` and a dense layer
  to a plain linear code. Decoder: the mirror image, with an upsampling (`upsample`:
  'nearest' or 'bilinear') before each conv block, and a last 3x3 convolution to one
  channel through a sigmoid, so pixels stay in (0, 1). Returns [batch, 784], like V1-V5.

  Measured on MNIST with a 10-unit code, 2-core CPU: the hidden dense layer (256)
  took the first epoch's test loss from 0.0195 to 0.0145 for 1% more compute; a
  linear map from 7x7x32 features straight to the code was the bottleneck.
  BatchNorm (PyTorch's rule, as in V4/V5) keeps the decoder out of a trap the plain
  version fell into: every ReLU dead and the output sigmoid saturated at 0, a test
  loss stuck at 0.114.
  """

  code_dim: int = 10
  features: Tuple[int, ...] = (16, 32)
  hidden_units: int = 256
  batch_norm: bool = True
  upsample: str = 'nearest'

  def setup(self):
    self.encoder = ConvEncoder(self.code_dim, self.features, self.hidden_units, self.batch_norm)
    self.decoder = ConvDecoder(self.features, self.hidden_units, self.batch_norm, self.upsample)

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.encoder(x, train)

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    return self.decoder(code, train)

  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.decode(self.encode(x, train), train)


class CnnClassifier(nn.Module):
  """The to-do list's CNN for (Fashion-)MNIST: logits [batch, 10].

  Per entry of `features`: a 3x3 convolution, BatchNorm, ReLU and 2x2 max pooling;
  then dropout, a ReLU dense layer of `dense_units`, dropout, and 10 logits. Dropout
  (`dropout_rate`, 0 = off) needs a 'dropout' key when training.
  """

  features: Tuple[int, ...] = (32, 64)
  dense_units: int = 128
  dropout_rate: float = 0.0

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    x = _as_images(x)
    for width in self.features:
      x = layers.max_pool_2x2(_conv_block(x, width, batch_norm=True, train=train))
    x = x.reshape(x.shape[0], -1)
    x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
    x = nn.relu(nn.Dense(self.dense_units)(x))
    x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
    return nn.Dense(NUM_CLASSES)(x)


MODELS = {
    'v1': AutoencoderV1,
    'v2': AutoencoderV2,
    'v3': AutoencoderV3,
    'v4': AutoencoderV4,
    'v5': AutoencoderV5,
    'hinton2006': DeepAutoencoder,
    'conv_ae': ConvAutoencoder,
    'cnn': CnnClassifier,
}
# What each model learns; config.task must name it (config_checks.py).
TASK_OF_MODEL = {name: 'classify' if model is CnnClassifier else 'reconstruct'
                 for name, model in MODELS.items()}
CONVOLUTIONAL_MODELS = ('conv_ae', 'cnn')


def block_features(model_config: ml_collections.ConfigDict) -> Tuple[int, ...]:
  """`model.features` as a tuple (a single block may be given as one integer)."""
  features = model_config.features
  return (features,) if isinstance(features, int) else tuple(features)


def uses_batch_norm(model_config: ml_collections.ConfigDict) -> bool:
  """Whether the model normalises with batch statistics (so needs batches of >= 2)."""
  return model_config.name in ('v4', 'v5', 'cnn') or (
      model_config.name == 'conv_ae' and model_config.batch_norm)


def create_model(model_config: ml_collections.ConfigDict) -> nn.Module:
  """Builds the module named by `model_config.name` with its configured sizes."""
  model_class = MODELS[model_config.name]
  features = block_features(model_config)
  if model_class is CnnClassifier:
    return CnnClassifier(features=features,
                         dense_units=model_config.dense_units,
                         dropout_rate=model_config.dropout_rate)
  if model_class is ConvAutoencoder:
    return ConvAutoencoder(code_dim=model_config.code_dim, features=features,
                           hidden_units=model_config.hidden_units,
                           batch_norm=model_config.batch_norm, upsample=model_config.upsample)
  if model_class in (AutoencoderV1, AutoencoderV2):
    return model_class(code_dim=model_config.code_dim, hidden_units=model_config.hidden_units)
  return model_class(code_dim=model_config.code_dim)
