"""What a train step minimises: the task's loss, or that loss changed by the config.

The metrics a run reports are always the task's plain loss (tasks.py), one definition
for every run; only the gradient sees these terms. (They move that loss too: smoothed
labels cap the confidence and so raise the plain cross-entropy; compare classifiers
by accuracy.)

- `label_weight` (model.label_weight, conv_ae and hinton2006): a supervised
  autoencoder. Adds this weight times the cross-entropy of the code head's logits (sown
  as 'code_logits' by models.Autoencoder.read_code) against the batch's labels.
- `label_smoothing` (optim.label_smoothing, classifiers): the cross-entropy against
  targets smoothed by this amount (optax.smooth_labels) replaces the plain one.
- `edge_weight` (optim.edge_weight, autoencoders): adds this weight times the squared
  error of the images' horizontal and vertical pixel differences. The squared error of
  the pixels pays little for the few thin lines (a zip, a collar, buttons) that tell a
  coat from a pullover; differences of neighbours are large exactly there.
- `reconstruction_loss` (optim.reconstruction_loss, autoencoders whose output is a
  sigmoid): 'bce' replaces the pixels' squared error by their binary cross-entropy
  against the target pixels (in [0, 1]), computed from the decoder's logits (sown by
  models.sigmoid_output): a saturated wrong pixel costs ~|logit| rather than at most 1,
  and it stays finite where the sigmoid rounds to exactly 0 or 1.
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
"""

from typing import Any, Callable, Mapping, NamedTuple, Optional

import jax
import jax.numpy as jnp
import ml_collections
import optax

from jax_ae.models.networks import IMAGE_SIDE
from jax_ae.models.networks import RECONSTRUCTION_LOGITS

Batch = Mapping[str, jax.Array]


class Objective(NamedTuple):
  """The terms beyond the task's loss; hashable, so jit takes it as a static argument."""

  label_weight: float = 0.0
  label_smoothing: float = 0.0
  edge_weight: float = 0.0
  reconstruction_loss: str = 'mse'  # or 'bce'
  perceptual_weight: float = 0.0
  perceptual_fraction: float = 1.0
  # The frozen classifier: images [batch, 784] -> logits [batch, 10]; set when the weight is.
  perceptual_logits: Optional[Callable[[jax.Array], jax.Array]] = None

  @property
  def reads_intermediates(self) -> bool:
    """Whether the forward pass must sow what it reads ('intermediates'): the code
    head's logits, the reconstruction's logits."""
    return self.label_weight > 0 or self.reconstruction_loss == 'bce'


def from_config(config: ml_collections.ConfigDict,
                perceptual_logits: Optional[Callable[[jax.Array], jax.Array]] = None
                ) -> Objective:
  """The config's objective; `perceptual_logits` is the loaded classifier of
  optim.perceptual_workdir (trained.perceptual_classifier), needed when its weight is set."""
  perceptual = {}  # off: the term's classifier and fraction are not part of the step
  if config.optim.perceptual_weight:
    if perceptual_logits is None:
      raise ValueError('optim.perceptual_weight needs the classifier: pass perceptual_logits')
    perceptual = dict(perceptual_weight=config.optim.perceptual_weight,
                      perceptual_fraction=config.optim.perceptual_fraction,
                      perceptual_logits=perceptual_logits)
  return Objective(label_weight=config.model.get('label_weight', 0.0),
                   label_smoothing=config.optim.label_smoothing,
                   edge_weight=config.optim.edge_weight,
                   reconstruction_loss=config.optim.reconstruction_loss,
                   **perceptual)


def pixel_cross_entropy(logits: jax.Array, images: jax.Array) -> jax.Array:
  """Mean binary cross-entropy of the pixels, per example: [batch, 784] x2 -> [batch].

  `logits` are the decoder's, before its sigmoid; `images` the targets in [0, 1].
  optax's form, max(z, 0) - z y + log1p(exp(-|z|)), never takes the log of 0.
  """
  return jnp.mean(optax.sigmoid_binary_cross_entropy(logits, images), axis=-1)


def _sown(intermediates: Mapping[str, Any], name: str) -> jax.Array:
  """The one value sown as `name`, at any depth: a submodule's sow nests under its name."""
  found = [leaf for path, leaf in jax.tree_util.tree_leaves_with_path(intermediates)
           if any(getattr(key, 'key', None) == name for key in path)]
  assert len(found) == 1, (name, len(found))
  return found[0]


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
  Under data parallelism (jax_ae/runtime/sharding.py) the first examples sit on the first
  devices, so the term's work is not spread evenly (its value is that of one device)."""
  return max(1, min(batch_size, round(fraction * batch_size)))


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


def minimised(objective: Objective, task_loss: jax.Array, outputs: jax.Array, batch: Batch,
              intermediates: Mapping[str, Any]) -> jax.Array:
  """The scalar the step's gradient is of.

  task_loss: the batch mean of the task's loss; outputs: the model's training-mode
  outputs ([batch, 784] images or [batch, 10] logits); intermediates: what the forward
  pass sowed (empty unless `objective.reads_intermediates`).
  """
  total = task_loss
  if objective.reconstruction_loss == 'bce':
    total = jnp.mean(pixel_cross_entropy(_sown(intermediates, RECONSTRUCTION_LOGITS),
                                         batch['image']))
  if objective.label_smoothing:
    targets = optax.smooth_labels(jax.nn.one_hot(batch['label'], outputs.shape[-1]),
                                  objective.label_smoothing)
    total = jnp.mean(optax.softmax_cross_entropy(outputs, targets))
  if objective.edge_weight:
    total += objective.edge_weight * jnp.mean(edge_error(outputs, batch['image']))
  if objective.perceptual_weight:
    count = perceptual_count(objective.perceptual_fraction, outputs.shape[0])
    total += objective.perceptual_weight * jnp.mean(
        perceptual_error(objective.perceptual_logits, outputs[:count], batch['image'][:count]))
  if objective.label_weight:
    code_logits = _sown(intermediates, 'code_logits')
    total += objective.label_weight * jnp.mean(
        optax.softmax_cross_entropy_with_integer_labels(code_logits, batch['label']))
  return total
