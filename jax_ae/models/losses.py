"""The loss of a config, in one place: the scalar a train step minimises and the metrics it reports.

`from_config(config)` builds a `Loss`; `Loss(outputs, batch)` returns both. The step
(steps.training_loss) and the diagnostics call it; `check_config` refuses the
combinations no loss can make, before any data is read (config_checks calls it).

The metrics are always the task's plain figures (tasks.py: the pixels' squared error of
an autoencoder, a classifier's cross-entropy and accuracy), one definition for every
run. The minimised scalar starts from the task's loss and is changed by the config:

- `reconstruction_loss` (optim.reconstruction_loss, autoencoders whose output is a
  sigmoid): 'bce' replaces the pixels' squared error by their binary cross-entropy
  against the target pixels (in [0, 1]), computed from the decoder's logits
  (networks.Autoencoder.outputs): a saturated wrong pixel costs ~|logit| rather than at
  most 1, and it stays finite where the sigmoid rounds to exactly 0 or 1.
- `label_smoothing` (optim.label_smoothing, classifiers): the cross-entropy against
  targets smoothed by this amount (optax.smooth_labels) replaces the plain one. (It
  moves the reported loss too: smoothed labels cap the confidence and so raise the
  plain cross-entropy; compare classifiers by accuracy.)
- `edge_weight` (optim.edge_weight, autoencoders): adds this weight times the squared
  error of the images' horizontal and vertical pixel differences. The squared error of
  the pixels pays little for the few thin lines (a zip, a collar, buttons) that tell a
  coat from a pullover; differences of neighbours are large exactly there.
- `perceptual_weight` (optim.perceptual_weight, autoencoders): adds this weight times
  the squared error of a frozen classifier's logits (optim.perceptual_workdir's, read
  in evaluation mode) on the reconstruction against those on the image. The pixels'
  squared error pays little for the few pixels that tell a shirt from a T-shirt; a
  classifier's logits are made of exactly those. The classifier must not be the one
  that judges class fidelity (trained.perceptual_classifier refuses it), or the
  record would train on its own judge. `perceptual_fraction` (optim.perceptual_fraction)
  below 1 reads the term on the first part of each batch only: the classifier's three
  passes (the image's, the reconstruction's forward and backward) cost about as much as
  the autoencoder's step, and a batch mean over fewer examples still estimates the same
  term, just with more noise.
- `label_weight` (model.label_weight, conv_ae and hinton2006): a supervised
  autoencoder. Adds this weight times the cross-entropy of the code head's logits
  (the model's 'code_logits' output) against the batch's labels.
"""

from typing import Callable, Dict, Mapping, NamedTuple, Optional, Tuple

import jax
import jax.numpy as jnp
import ml_collections
import optax

from jax_ae.errors import ConfigError
from jax_ae.models import networks
from jax_ae.models import tasks
from jax_ae.models.networks import IMAGE_SIDE

Batch = Mapping[str, jax.Array]


class Loss(NamedTuple):
  """A config's loss; hashable, so jit takes it as a static argument.

  Called on the model's training-mode `outputs` (networks' `outputs` method: 'output',
  and 'logits' or 'code_logits' where the model has them) and the batch, it returns
  (the scalar the gradient is of, {metric: batch mean} of the task's metrics).
  """

  task: tasks.Task
  reconstruction_loss: str = 'mse'  # or 'bce'
  label_smoothing: float = 0.0
  edge_weight: float = 0.0
  perceptual_weight: float = 0.0
  perceptual_fraction: float = 1.0
  # The frozen classifier: images [batch, 784] -> logits [batch, 10]; set when the weight is.
  perceptual_logits: Optional[Callable[[jax.Array], jax.Array]] = None
  label_weight: float = 0.0

  @property
  def is_the_tasks(self) -> bool:
    """Whether the minimised scalar is the task's reported loss itself (no term changes it)."""
    return self == Loss(self.task)

  def __call__(self, outputs: Mapping[str, jax.Array],
               batch: Batch) -> Tuple[jax.Array, Dict[str, jax.Array]]:
    output = outputs['output']
    means = {name: jnp.mean(values)
             for name, values in self.task.per_example_metrics(output, batch).items()}
    total = means['loss']
    if self.reconstruction_loss == 'bce':
      total = jnp.mean(pixel_cross_entropy(outputs['logits'], batch['image']))
    if self.label_smoothing:
      targets = optax.smooth_labels(jax.nn.one_hot(batch['label'], output.shape[-1]),
                                    self.label_smoothing)
      total = jnp.mean(optax.softmax_cross_entropy(output, targets))
    if self.edge_weight:
      total += self.edge_weight * jnp.mean(edge_error(output, batch['image']))
    if self.perceptual_weight:
      count = perceptual_count(self.perceptual_fraction, output.shape[0])
      total += self.perceptual_weight * jnp.mean(
          perceptual_error(self.perceptual_logits, output[:count], batch['image'][:count]))
    if self.label_weight:
      total += self.label_weight * jnp.mean(optax.softmax_cross_entropy_with_integer_labels(
          outputs['code_logits'], batch['label']))
    return total, means


def check_config(config: ml_collections.ConfigDict) -> None:
  """Raises ConfigError, in one sentence, for a combination of fields no loss can make."""
  if config.optim.label_smoothing and config.task != 'classify':
    raise ConfigError('optim.label_smoothing smooths class targets; set '
                      '--config.optim.label_smoothing=0 unless task=classify.')
  if config.optim.edge_weight and config.task != 'reconstruct':
    raise ConfigError('optim.edge_weight weighs the edges of reconstructed images; set '
                      '--config.optim.edge_weight=0 unless task=reconstruct.')
  if config.optim.perceptual_weight and config.task != 'reconstruct':
    raise ConfigError('optim.perceptual_weight compares reconstructions with their images; set '
                      '--config.optim.perceptual_weight=0 unless task=reconstruct.')
  if config.optim.perceptual_weight and not config.optim.perceptual_workdir:
    raise ConfigError('optim.perceptual_weight needs the classifier whose logits it compares: '
                      'set --config.optim.perceptual_workdir to its workdir.')
  if (config.optim.reconstruction_loss == 'bce'
      and not networks.REGISTRY[config.model.name].sigmoid_output):
    sigmoid_models = ', '.join(name for name, spec in networks.REGISTRY.items()
                               if spec.sigmoid_output)
    raise ConfigError(f'--config.optim.reconstruction_loss=bce needs a decoder that ends in a '
                      f'sigmoid ({sigmoid_models}), not {config.model.name}; use mse.')


def from_config(config: ml_collections.ConfigDict,
                perceptual_logits: Optional[Callable[[jax.Array], jax.Array]] = None) -> Loss:
  """The config's Loss; `perceptual_logits` is the loaded classifier of
  optim.perceptual_workdir (trained.perceptual_classifier), needed when its weight is set."""
  perceptual = {}  # off: the term's classifier and fraction are not part of the step
  if config.optim.perceptual_weight:
    if perceptual_logits is None:
      raise ValueError('optim.perceptual_weight needs the classifier: pass perceptual_logits')
    perceptual = dict(perceptual_weight=config.optim.perceptual_weight,
                      perceptual_fraction=config.optim.perceptual_fraction,
                      perceptual_logits=perceptual_logits)
  return Loss(task=tasks.get(config.task),
              reconstruction_loss=config.optim.reconstruction_loss,
              label_smoothing=config.optim.label_smoothing,
              edge_weight=config.optim.edge_weight,
              label_weight=config.model.get('label_weight', 0.0),
              **perceptual)


def pixel_cross_entropy(logits: jax.Array, images: jax.Array) -> jax.Array:
  """Mean binary cross-entropy of the pixels, per example: [batch, 784] x2 -> [batch].

  `logits` are the decoder's, before its sigmoid; `images` the targets in [0, 1].
  optax's form, max(z, 0) - z y + log1p(exp(-|z|)), never takes the log of 0.
  """
  return jnp.mean(optax.sigmoid_binary_cross_entropy(logits, images), axis=-1)


def edge_error(reconstructions: jax.Array, images: jax.Array) -> jax.Array:
  """Mean squared error of neighbouring pixels' differences, per example.

  [batch, 784] x2 -> [batch]: the mean over the 28 x 27 horizontal and 27 x 28
  vertical differences of each image.
  """
  difference = (reconstructions - images).reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
  across = jnp.diff(difference, axis=2)
  down = jnp.diff(difference, axis=1)
  return 0.5 * (jnp.mean(jnp.square(across), axis=(1, 2)) +
                jnp.mean(jnp.square(down), axis=(1, 2)))


def perceptual_error(logits_fn: Callable[[jax.Array], jax.Array], reconstructions: jax.Array,
                     images: jax.Array) -> jax.Array:
  """Mean squared error of the classifier's logits, reconstruction against image, per example.

  [batch, 784] x2 -> [batch]. Two passes rather than one over both: only the
  reconstructions' pass needs a backward pass.
  """
  target = jax.lax.stop_gradient(logits_fn(images))
  return jnp.mean(jnp.square(logits_fn(reconstructions) - target), axis=-1)


def perceptual_count(fraction: float, batch_size: int) -> int:
  """How many of a batch's first examples the perceptual term reads: round(fraction x
  batch_size), at least one. A Python int, so the slice has a static shape under jit.
  Under data parallelism (jax_ae/training/sharding.py) the first examples sit on the first
  devices, so the term's work is not spread evenly (its value is that of one device)."""
  return max(1, min(batch_size, round(fraction * batch_size)))
