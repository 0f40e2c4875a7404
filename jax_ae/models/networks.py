"""Every model, one Linen module each, and the registry that tells the rest of jax-ae about them.

Over 350 lines on purpose: the versions build on one another (V2 on V1, V5 on V4, the
deep autoencoder on V3's MLP), and side by side in one file their differences read at
a glance, as the style guide's models.py; each class is short.

Every module takes flattened images `x: [batch, 784] float32 in [0, 1]`, the one
format the data, train step and pictures share. The autoencoders map them to a code
`[batch, code_dim]` (`encode`) and back to `[batch, 784]` (`decode`); `__call__` is
`decode(encode(x))` (`Autoencoder`). The convolutional models reshape to
[batch, 28, 28, 1] inside. The classifiers (cnn, mlp) return logits `[batch, 10]`. All take
`train`, which only models with BatchNorm or dropout use: batch statistics (and
dropout) when training, running averages in the `batch_stats` collection otherwise.

A model is registered with `@register(name, task=..., convolutional=...)`; its config
fields are the module's attributes that a config can hold (numbers, strings, booleans,
tuples), so `config.model` is `name` plus exactly those (`default_model_config`), and
`create_model(config.model)` is `Module(**fields)`. Adding a model is one class here and
one file in configs/.

V1-V5's dense layers start as PyTorch's `nn.Linear` weights do (uniform in
+-1/sqrt(fan_in), a third of the variance of Flax's default), biases at zero, to
match the notebook: before BatchNorm the weight scale sets the effective step size.
The CNNs and the Hinton & Salakhutdinov network, which the notebook never trained, use
Flax's defaults.
"""

import dataclasses
import functools
from typing import Any, Callable, Dict, Optional, Tuple, Type, Union

import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections

from jax_ae.datasets import data
from jax_ae.models import layers
from jax_ae.models.layers import TorchBatchNorm

# The images' facts, declared with the data (re-exported: every model is built on them).
IMAGE_SIDE = data.IMAGE_SIDE
IMAGE_PIXELS = data.IMAGE_PIXELS
NUM_CLASSES = data.NUM_CLASSES

TORCH_LINEAR_INIT = nn.initializers.variance_scaling(1.0 / 3.0, 'fan_in', 'uniform')
Dense = functools.partial(nn.Dense, kernel_init=TORCH_LINEAR_INIT)
# Attribute types a config can hold; attributes of other types (activations, layer
# constructors) are fixed by the class, not configured.
CONFIG_TYPES = (bool, int, float, str, tuple)


@dataclasses.dataclass(frozen=True)
class ModelSpec:
  """A registered model: its module and what the rest of jax-ae needs to know about it."""

  name: str  # config.model.name
  module: Type[nn.Module]
  task: str  # 'reconstruct' or 'classify' (tasks.py); config.task must match
  convolutional: bool  # picks the faster train loop on each backend (train_loops.py)
  # Whether it normalises with batch statistics (so trains on batches of >= 2): a bool,
  # or a function of the module for models where a field switches BatchNorm.
  batch_norm: Union[bool, Callable[[nn.Module], bool]]
  # Models with `features`: the most conv blocks the 28x28 input allows; 0 for others.
  max_blocks: int
  from_notebook: bool  # one of the notebook's versions (VERSIONS)
  # Its reconstructions are a sigmoid of logits (`Autoencoder.outputs` returns them too):
  # the models optim.reconstruction_loss='bce' can train.
  sigmoid_output: bool = False

  @property
  def fields(self) -> Dict[str, Any]:
    """{field: default} of the module's configurable attributes, in declaration order."""
    return {field.name: field.default for field in dataclasses.fields(self.module)
            if field.name not in ('parent', 'name') and isinstance(field.default, CONFIG_TYPES)}

  def build(self, model_config: ml_collections.ConfigDict) -> nn.Module:
    """The module with the config's values of the fields it takes.

    Other fields are ignored: the config.json of runs trained before the registry holds
    every model's fields. A missing field takes the module's default; a tuple field
    read back from JSON arrives as a list.
    """
    fields = {name: tuple(model_config[name]) if isinstance(default, tuple) else model_config[name]
              for name, default in self.fields.items() if name in model_config}
    return self.module(**fields)

  def uses_batch_norm(self, model_config: ml_collections.ConfigDict) -> bool:
    if callable(self.batch_norm):
      return self.batch_norm(self.build(model_config))
    return self.batch_norm


REGISTRY: Dict[str, ModelSpec] = {}


def register(name: str, *, task: str = 'reconstruct', convolutional: bool = False,
             batch_norm: Union[bool, Callable[[nn.Module], bool]] = False, max_blocks: int = 0,
             from_notebook: bool = False, sigmoid_output: bool = False):
  """Class decorator: makes the module buildable as `config.model.name = name`."""

  def add(module: Type[nn.Module]) -> Type[nn.Module]:
    assert name not in REGISTRY, name
    spec = ModelSpec(name, module, task, convolutional, batch_norm, max_blocks, from_notebook,
                     sigmoid_output)
    missing = [field.name for field in dataclasses.fields(module)
               if field.name not in ('parent', 'name') and field.default is dataclasses.MISSING]
    assert not missing, f'{name}: give {missing} defaults, the values default_model_config starts from'
    assert ('features' in spec.fields) == (max_blocks > 0), name
    REGISTRY[name] = spec
    return module

  return add


def default_model_config(name: str) -> ml_collections.ConfigDict:
  """`config.model` for the registered model `name`: its name and its fields' defaults."""
  return ml_collections.ConfigDict({'name': name, **REGISTRY[name].fields})


def create_model(model_config: ml_collections.ConfigDict) -> nn.Module:
  """The module `model_config.name` registers, built from the fields it takes."""
  return REGISTRY[model_config.name].build(model_config)


def init_variables(model: nn.Module, rng: jax.Array) -> Dict[str, Any]:
  """{'params', 'batch_stats'} of a new `model` ('batch_stats' {} where it has none).

  Jitted: one program rather than one dispatch per operation, with the same values.
  """
  variables = jax.jit(model.init, static_argnames='train')(
      rng, jnp.zeros((2, IMAGE_PIXELS), jnp.float32), train=False)
  return {'params': variables['params'], 'batch_stats': variables.get('batch_stats', {})}


# hinton2006's `hidden_activation` choices.
HIDDEN_ACTIVATIONS = {'relu': nn.relu, 'gelu': nn.gelu, 'silu': nn.silu, 'elu': nn.elu}


def _identity(x: jax.Array) -> jax.Array:
  return x


class Autoencoder(nn.Module):
  """An encoder and a decoder: subclasses define `encode`, and `decode` or, where the
  reconstruction is a sigmoid of logits, `decode_logits`; never `__call__` or `outputs`."""

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    """[batch, 784] -> [batch, code_dim]."""
    raise NotImplementedError

  def decode_logits(self, code: jax.Array, train: bool = False) -> Optional[jax.Array]:
    """[batch, code_dim] -> [batch, 784] logits whose sigmoid is the reconstruction, for
    the models registered `sigmoid_output`; None for the others."""
    del code, train
    return None

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    """[batch, code_dim] -> [batch, 784]."""
    return nn.sigmoid(self.decode_logits(code, train))

  def outputs(self, x: jax.Array, train: bool = False) -> Dict[str, jax.Array]:
    """One forward pass, with everything a loss (losses.py) may read of it.

    'output': the reconstruction, [batch, 784]; 'logits': the reconstruction's logits,
    where it is their sigmoid (the pixels' cross-entropy is computed from them, finite
    where the sigmoid rounds to 0 or 1); 'code_logits': where `label_weight` > 0 (conv_ae,
    hinton2006), a supervised autoencoder's softmax head on the code, [batch, 10], a side
    branch the decoder never sees.
    """
    code = self.encode(x, train)
    logits = self.decode_logits(code, train)
    outputs = ({'output': self.decode(code, train)} if logits is None
               else {'output': nn.sigmoid(logits), 'logits': logits})
    if getattr(self, 'label_weight', 0.0) > 0:
      outputs['code_logits'] = self.code_classifier(code)
    return outputs

  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.outputs(x, train)['output']


@register('v1', from_notebook=True)
class AutoencoderV1(Autoencoder):
  """V1, the baseline: a linear autoencoder, 784 -> H -> code -> H -> 784.

  With no non-linearity it can at best match PCA with `code_dim` components.
  """

  hidden_units: int = 128  # H; the notebook does not state it
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


@register('v2', from_notebook=True, sigmoid_output=True)
class AutoencoderV2(AutoencoderV1):
  """V2: V1 plus a sigmoid after each hidden layer and on the output.

  The output sigmoid keeps reconstructions in (0, 1), the range of the pixels.
  """

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.encoder_code(nn.sigmoid(self.encoder_hidden(x)))

  def decode_logits(self, code: jax.Array, train: bool = False) -> jax.Array:
    return self.decoder_output(nn.sigmoid(self.decoder_hidden(code)))

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    return nn.sigmoid(self.decode_logits(code, train))


class MlpAutoencoder(Autoencoder):
  """784 -> hidden_widths -> code -> the widths reversed -> 784, dense layers only.

  `activation` follows every hidden layer, `code_activation` the code and
  `output_activation` the output; `dense` builds each layer (its kernel
  initialisation). These are fixed by each subclass, not configured: they are what
  makes it that model.
  """

  code_dim: int
  hidden_widths: Tuple[int, ...]
  activation: Callable[[jax.Array], jax.Array] = nn.relu
  code_activation: Callable[[jax.Array], jax.Array] = _identity
  output_activation: Callable[[jax.Array], jax.Array] = _identity
  dense: Callable[..., nn.Module] = nn.Dense

  def setup(self):
    self.encoder_layers = [self.dense(width) for width in self.hidden_widths]
    self.encoder_code = self.dense(self.code_dim)
    self.decoder_layers = [self.dense(width) for width in reversed(self.hidden_widths)]
    self.decoder_output = self.dense(IMAGE_PIXELS)

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    for layer in self.encoder_layers:
      x = self._hidden(self._activate(layer(x), layer.name), train)
    return self.code_activation(self.encoder_code(x))

  def _decoder_output(self, code: jax.Array, train: bool) -> jax.Array:
    for layer in self.decoder_layers:
      code = self._hidden(self._activate(layer(code), layer.name), train)
    return self.decoder_output(code)

  def decode_logits(self, code: jax.Array, train: bool = False) -> Optional[jax.Array]:
    if self.output_activation is not nn.sigmoid:
      return None
    return self._decoder_output(code, train)

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    return self.output_activation(self._decoder_output(code, train))

  def _activate(self, x: jax.Array, after: str) -> jax.Array:
    # A ReLU records its dead units for diagnostics.py; other activations have none.
    return layers.relu(self, x, after) if self.activation is nn.relu else self.activation(x)

  def _hidden(self, x: jax.Array, train: bool) -> jax.Array:
    """What follows each hidden layer's activation: nothing here; dropout in hinton2006."""
    del train
    return x


@register('v3', from_notebook=True)
class AutoencoderV3(MlpAutoencoder):
  """V3: deep and wide, 784-1500-1000-500-code, ReLU between layers.

  A sigmoid squashes the code into (0, 1); the decoder mirrors the encoder with a
  linear output. The notebook also halved the learning rate every 50 epochs (see
  configs/v3.py).
  """

  code_dim: int = 20
  hidden_widths: Tuple[int, ...] = (1500, 1000, 500)
  code_activation: Callable[[jax.Array], jax.Array] = nn.sigmoid
  dense: Callable[..., nn.Module] = Dense


@register('v4', batch_norm=True, from_notebook=True)
class AutoencoderV4(Autoencoder):
  """V4: a narrow funnel 784-128-64-32-code with BatchNorm after every layer.

  As in the notebook: the first encoder block is Dense then BatchNorm with no ReLU;
  the others are Dense, ReLU, BatchNorm. Every BatchNorm is PyTorch's
  `affine=False` except the one on the code, which learns a scale and a bias. The
  decoder ends in a ReLU, so reconstructions are non-negative.
  """

  code_dim: int = 16
  hidden_widths: Tuple[int, ...] = (128, 64, 32)

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
        x = layers.relu(self, x, layer.name)
      x = norm(x, train)
    return self.code_norm(self.encoder_code(x), train)

  def decode(self, code: jax.Array, train: bool = False) -> jax.Array:
    for layer, norm in zip(self.decoder_layers, self.decoder_norms):
      code = norm(layers.relu(self, layer(code), layer.name), train)
    return layers.relu(self, self.decoder_output(code), 'decoder_output')


@register('v5', batch_norm=True, from_notebook=True)
class AutoencoderV5(AutoencoderV4):
  """V5: V4 with the input itself batch-normalised (BatchNorm(784), no affine)."""

  def setup(self):
    super().setup()
    self.input_norm = TorchBatchNorm()

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    return super().encode(self.input_norm(x, train), train)


@register('hinton2006', sigmoid_output=True)
class DeepAutoencoder(MlpAutoencoder):
  """Hinton & Salakhutdinov (Science, 2006): 784-1000-500-250-30 and its mirror image.

  The paper's layers are logistic except the linear code, pretrained as a stack of
  RBMs and then fine-tuned. We train end to end from a random start with Adam, so
  the hidden layers are ReLU (deep logistic stacks learn slowly from a random start,
  which is why the paper needed pretraining); the code stays linear, as in the paper,
  and a sigmoid on the output keeps pixels in (0, 1). Flax's default initialisation
  (LeCun normal); no BatchNorm: the paper's widths and linear code, nothing added.
  `dropout_rate` (0 = off, the paper's) drops hidden units after each hidden layer's
  ReLU in training, against the overfitting of the wider record networks.
  `hidden_activation` names a smooth alternative to the ReLU (HIDDEN_ACTIVATIONS), a
  record lead: a smooth network maps nearby codes to nearby images. `label_weight` > 0
  makes it a supervised autoencoder, as conv_ae's (ConvAutoencoder).
  """

  code_dim: int = 30
  hidden_widths: Tuple[int, ...] = (1000, 500, 250)
  output_activation: Callable[[jax.Array], jax.Array] = nn.sigmoid
  dropout_rate: float = 0.0
  hidden_activation: str = 'relu'
  label_weight: float = 0.0

  def _activate(self, x: jax.Array, after: str) -> jax.Array:
    if self.hidden_activation == 'relu':  # with its dead-unit record
      return super()._activate(x, after)
    return HIDDEN_ACTIVATIONS[self.hidden_activation](x)

  def setup(self):
    super().setup()
    self.dropout = nn.Dropout(self.dropout_rate)
    if self.label_weight > 0:
      self.code_classifier = nn.Dense(NUM_CLASSES)

  def _hidden(self, x: jax.Array, train: bool) -> jax.Array:
    # A rate of 0 returns x untouched and needs no 'dropout' key.
    return self.dropout(x, deterministic=not train)


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
  """[batch, 784] -> per width: conv blocks, 2x2 max pool (28 -> 14 -> 7) -> dense -> linear code."""

  code_dim: int
  features: Tuple[int, ...]
  hidden_units: int
  batch_norm: bool
  convs_per_block: int = 1

  @nn.compact
  def __call__(self, x: jax.Array, train: bool) -> jax.Array:
    x = _as_images(x)
    for width in self.features:
      for _ in range(self.convs_per_block):
        x = _conv_block(x, width, self.batch_norm, train)
      x = layers.max_pool_2x2(x)
    x = _dense_block(x.reshape(x.shape[0], -1), self.hidden_units, self.batch_norm, train)
    return nn.Dense(self.code_dim)(x)


class ConvDecoder(nn.Module):
  """code -> dense -> dense to the smallest map -> per width: upsample, conv blocks -> [batch, 784]
  logits (ConvAutoencoder's reconstruction is their sigmoid)."""

  features: Tuple[int, ...]
  hidden_units: int
  batch_norm: bool
  upsample: str
  convs_per_block: int = 1

  @nn.compact
  def __call__(self, code: jax.Array, train: bool) -> jax.Array:
    side = IMAGE_SIDE // 2**len(self.features)
    x = _dense_block(code, self.hidden_units, self.batch_norm, train)
    x = _dense_block(x, side * side * self.features[-1], self.batch_norm, train)
    x = x.reshape(code.shape[0], side, side, self.features[-1])
    for width in reversed(self.features):
      x = layers.upsample_2x(x, self.upsample)
      for _ in range(self.convs_per_block):
        x = _conv_block(x, width, self.batch_norm, train)
    x = nn.Conv(1, (3, 3))(x)
    return x.reshape(code.shape[0], IMAGE_PIXELS)  # logits: the autoencoder's sigmoid follows


# Each block pools 2x2: 28 -> 14 -> 7 -> 3. The autoencoder upsamples by 2 per block and
# cannot get back to 28 from 3, so it takes at most two blocks; the classifier three.
@register('conv_ae', convolutional=True, batch_norm=lambda model: model.batch_norm, max_blocks=2,
          sigmoid_output=True)
class ConvAutoencoder(Autoencoder):
  """The to-do list's CNN autoencoder: conv blocks and max pooling down, upsampling up.

  Encoder: per entry of `features`, a 3x3 convolution, [BatchNorm], ReLU and 2x2 max
  pooling (28 -> 14 -> 7), then a ReLU dense layer of `hidden_units` and a dense layer
  to a plain linear code. Decoder: the mirror image, with an upsampling (`upsample`:
  'nearest' or 'bilinear') before each conv block, and a last 3x3 convolution to one
  channel through a sigmoid, so pixels stay in (0, 1). Returns [batch, 784], like V1-V5.

  The hidden dense layer spares the code a linear map straight from the 7x7 feature
  maps, which was the bottleneck; BatchNorm (PyTorch's rule, as in V4/V5) keeps the
  decoder out of a trap the plain version falls into, every ReLU dead and the output
  stuck at the mean image. `convs_per_block` > 1 stacks that many conv blocks at each
  resolution (VGG's way of deepening), for the records' larger budgets.

  `label_weight` > 0 makes it a supervised autoencoder (Le, Patterson & White, 2018): a
  dense softmax head reads the code, and training adds `label_weight` times its
  cross-entropy against the training labels to the reconstruction loss, so that the
  code carries the class as well as the shape. The head is a side branch: the code is
  still the decoder's only input, and evaluation and reconstructions never use it.
  """

  code_dim: int = 10
  features: Tuple[int, ...] = (16, 32)
  hidden_units: int = 256
  batch_norm: bool = True
  upsample: str = 'nearest'
  convs_per_block: int = 1
  label_weight: float = 0.0

  def setup(self):
    self.encoder = ConvEncoder(self.code_dim, self.features, self.hidden_units, self.batch_norm,
                               self.convs_per_block)
    self.decoder = ConvDecoder(self.features, self.hidden_units, self.batch_norm, self.upsample,
                               self.convs_per_block)
    if self.label_weight > 0:
      self.code_classifier = nn.Dense(NUM_CLASSES)

  def encode(self, x: jax.Array, train: bool = False) -> jax.Array:
    return self.encoder(x, train)

  def decode_logits(self, code: jax.Array, train: bool = False) -> jax.Array:
    return self.decoder(code, train)


@register('cnn', task='classify', convolutional=True, batch_norm=True, max_blocks=3)
class CnnClassifier(nn.Module):
  """The to-do list's CNN for (Fashion-)MNIST: logits [batch, 10].

  Per entry of `features`: `convs_per_block` 3x3 convolutions, each with BatchNorm and
  ReLU, then 2x2 max pooling; then dropout, a ReLU dense layer of `dense_units`,
  dropout, and 10 logits. Dropout (`dropout_rate`, 0 = off) needs a 'dropout' key when
  training.

  `test_time_flip`: in evaluation, the logits are the mean of the image's and its
  left-right mirror's, for data whose classes a mirror keeps (clothes, not digits). It
  adds no parameters; training sees the flips as augmentation (`augment.flip`) instead.
  """

  features: Tuple[int, ...] = (32, 64)
  dense_units: int = 128
  dropout_rate: float = 0.0
  convs_per_block: int = 1
  test_time_flip: bool = False

  def outputs(self, x: jax.Array, train: bool = False) -> Dict[str, jax.Array]:
    """{'output': logits [batch, 10]}: what a loss (losses.py) reads of one forward pass."""
    return {'output': self(x, train)}

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    x = _as_images(x)
    both_views = self.test_time_flip and not train
    if both_views:
      # One pass over [images; mirrors]: BatchNorm uses its running averages here, so
      # the batch's make-up changes nothing.
      x = jnp.concatenate([x, x[:, :, ::-1]])
    for width in self.features:
      for _ in range(self.convs_per_block):
        x = _conv_block(x, width, batch_norm=True, train=train)
      x = layers.max_pool_2x2(x)
    x = x.reshape(x.shape[0], -1)
    x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
    x = nn.relu(nn.Dense(self.dense_units)(x))
    x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
    logits = nn.Dense(NUM_CLASSES)(x)
    if both_views:
      images, mirrors = jnp.split(logits, 2)
      return 0.5 * (images + mirrors)
    return logits


@register('mlp', task='classify')
class MlpClassifier(nn.Module):
  """A dense classifier: 784 pixels -> `hidden_widths` (ReLU, then dropout) -> 10 logits.

  A frozen classifier that a perceptual term (optim.perceptual_workdir) can run three
  times a step beside a dense autoencoder and leave the step dense: it keeps the
  device loop, where a CNN's convolutions on XLA:CPU take it away (train_loops.py).
  Dropout (`dropout_rate`, 0 = off) needs a 'dropout' key when training.
  """

  hidden_widths: Tuple[int, ...] = (256,)
  dropout_rate: float = 0.0

  def outputs(self, x: jax.Array, train: bool = False) -> Dict[str, jax.Array]:
    """{'output': logits [batch, 10]}: what a loss (losses.py) reads of one forward pass."""
    return {'output': self(x, train)}

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    x = x.reshape(x.shape[0], -1)
    for width in self.hidden_widths:
      x = nn.relu(nn.Dense(width)(x))
      x = nn.Dropout(self.dropout_rate, deterministic=not train)(x)
    return nn.Dense(NUM_CLASSES)(x)


# The notebook's versions, in its order: the PyTorch reference and the benchmarks cover these.
VERSIONS = tuple(name for name, spec in REGISTRY.items() if spec.from_notebook)
