"""Training-time augmentation, drawn on the device inside the jitted train step.

Every image of a batch gets its own random shift (and, where enabled, a coin flip for
a horizontal mirror and an erased square) from the step's key, as batched array
operations: there is no Python loop over images and nothing crosses from the host.
Evaluation never calls this, so test figures are always on the untouched images.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import ml_collections

from jax_ae.datasets.data import IMAGE_SIDE


class Augmentation(NamedTuple):
  """What to do to training images; hashable, so jit can take it as a static argument.

  max_shift: each image moves by up to this many pixels along each axis, the
    uncovered border filled with 0 (background); 0 turns shifting off.
  flip: mirror half of the images left to right. Right for Fashion-MNIST, whose
    clothes are symmetric; wrong for digits, which a mirror can turn into others.
  erase_size: Cutout (DeVries & Taylor, 2017): a square of this many pixels a side,
    centred anywhere in the image (so cut by the border near the edges), set to 0.
    The classifier must then read a garment from what is left of it. Classifiers only:
    an autoencoder's target is the augmented image, so it would learn to draw holes.
  """

  max_shift: int = 0
  flip: bool = False
  erase_size: int = 0

  @property
  def enabled(self) -> bool:
    return self.max_shift > 0 or self.flip or self.erase_size > 0


def from_config(augment_config: ml_collections.ConfigDict) -> Augmentation:
  return Augmentation(max_shift=augment_config.max_shift, flip=augment_config.flip,
                      erase_size=augment_config.erase_size)


def augment_images(key: jax.Array, images: jax.Array, augmentation: Augmentation) -> jax.Array:
  """images: [batch, 784] in [0, 1] -> the same shape, each image shifted, flipped, erased."""
  if not augmentation.enabled:
    return images
  batch = images.shape[0]
  squares = images.reshape(batch, IMAGE_SIDE, IMAGE_SIDE)
  shift_key, flip_key = jax.random.split(key)
  if augmentation.max_shift > 0:
    margin = augmentation.max_shift
    padded = jnp.pad(squares, ((0, 0), (margin, margin), (margin, margin)))
    offsets = jax.random.randint(shift_key, (batch, 2), 0, 2 * margin + 1)
    squares = jax.vmap(
        lambda image, offset: jax.lax.dynamic_slice(image, offset, (IMAGE_SIDE, IMAGE_SIDE))
    )(padded, offsets)
  if augmentation.flip:
    flipped = jax.random.bernoulli(flip_key, 0.5, (batch,))
    squares = jnp.where(flipped[:, None, None], squares[:, :, ::-1], squares)
  if augmentation.erase_size > 0:
    # Its own key, folded in, so that adding Cutout leaves the shifts and flips of
    # configs without it as they were.
    centres = jax.random.randint(jax.random.fold_in(key, 2), (batch, 2, 1), 0, IMAGE_SIDE)
    first = centres - augmentation.erase_size // 2
    pixels = jnp.arange(IMAGE_SIDE)
    inside = (pixels >= first) & (pixels < first + augmentation.erase_size)  # [batch, 2, side]
    squares = jnp.where(inside[:, 0, :, None] & inside[:, 1, None, :], 0.0, squares)
  return squares.reshape(batch, IMAGE_SIDE * IMAGE_SIDE)
