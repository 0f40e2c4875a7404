"""Augmentation: shapes and labels kept, one key one result, off in evaluation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jax_ae.datasets import augment
from jax_ae.models import losses
from jax_ae.training import held_out
from jax_ae.training import steps
from jax_ae.training import train_loops
from tests.helpers import tiny_config

SHIFT_AND_FLIP = augment.Augmentation(max_shift=2, flip=True)


def _images(key, count=16):
  return jax.random.uniform(key, (count, 784))


def test_shape_and_range_are_kept(make_key):
  images = _images(make_key())
  augmented = augment.augment_images(make_key(), images, SHIFT_AND_FLIP)
  assert augmented.shape == images.shape and augmented.dtype == images.dtype
  assert float(augmented.min()) >= 0.0 and float(augmented.max()) <= 1.0


def test_same_key_same_images_other_key_differs(make_key):
  images, key = _images(make_key()), make_key()
  first = augment.augment_images(key, images, SHIFT_AND_FLIP)
  np.testing.assert_array_equal(first, augment.augment_images(key, images, SHIFT_AND_FLIP))
  assert not np.array_equal(first, augment.augment_images(make_key(), images, SHIFT_AND_FLIP))


def test_each_image_is_a_shift_or_mirror_of_itself(make_key):
  images = _images(make_key(), 8).reshape(8, 28, 28)
  augmented = augment.augment_images(make_key(), images.reshape(8, 784),
                                     SHIFT_AND_FLIP).reshape(8, 28, 28)
  for original, result in zip(np.asarray(images), np.asarray(augmented)):
    candidates = []
    for image in (original, original[:, ::-1]):
      padded = np.pad(image, 2)
      candidates += [padded[2 + dy:30 + dy, 2 + dx:30 + dx]
                     for dy in range(-2, 3) for dx in range(-2, 3)]
    assert any(np.array_equal(result, candidate) for candidate in candidates)


@pytest.mark.parametrize('erase_size', (1, 6, 28))
def test_cutout_zeroes_one_square_and_leaves_the_shifts_and_flips_as_they_were(erase_size,
                                                                                make_key):
  images, key = _images(make_key(), 32), make_key()
  for augmentation in (SHIFT_AND_FLIP, augment.Augmentation(flip=True)):
    before = np.asarray(augment.augment_images(key, images, augmentation)).reshape(-1, 28, 28)
    after = np.asarray(augment.augment_images(
        key, images, augmentation._replace(erase_size=erase_size))).reshape(-1, 28, 28)
    changed = after != before
    np.testing.assert_array_equal(after[changed], 0.0)
    rows, columns = changed.any(axis=2), changed.any(axis=1)
    # The changed pixels form one rectangle, at most erase_size a side.
    np.testing.assert_array_equal(changed, rows[:, :, None] & columns[:, None, :])
    assert rows.sum(axis=1).max() <= erase_size and columns.sum(axis=1).max() <= erase_size
    if not augmentation.max_shift:  # no zeros of its own: every image shows its square
      assert rows.any(axis=1).all() and columns.any(axis=1).all()


def test_no_flip_keeps_orientation_and_zero_shift_is_identity(make_key):
  images = _images(make_key())
  np.testing.assert_array_equal(
      augment.augment_images(make_key(), images, augment.Augmentation()), images)
  # A one-pixel-wide vertical bar on the left half stays on the left half.
  bar = jnp.zeros((4, 28, 28)).at[:, :, 5].set(1.0).reshape(4, 784)
  shifted = augment.augment_images(make_key(), bar, augment.Augmentation(max_shift=2))
  columns = np.asarray(shifted).reshape(4, 28, 28).sum(axis=1).argmax(axis=1)
  assert np.all((columns >= 3) & (columns <= 7))


@pytest.mark.slow
@pytest.mark.parametrize('version', ('cnn', 'conv_ae'))
def test_evaluation_sees_untouched_images_and_training_augmented_ones(version, make_key):
  config = tiny_config(version)
  split = {'image': np.asarray(_images(make_key(), 32)), 'label': np.arange(32) % 10}
  plain_trainer = train_loops.Trainer(config, split)
  state = plain_trainer.create_state()
  config.augment.max_shift = 3
  config.augment.flip = True
  augmenting_trainer = train_loops.Trainer(config, split)
  # The same state evaluates the same whether or not training augments.
  plain_results, augmenting_results = (
      held_out.Evaluator(config, trainer.task, split, trainer.mesh).test_results(state)
      for trainer in (plain_trainer, augmenting_trainer))
  for name, value in plain_results.items():
    np.testing.assert_array_equal(value, augmenting_results[name])
  batch = {'image': _images(make_key(), 8), 'label': jnp.arange(8)}
  # Training on the same batch with a shifting augmentation changes the loss.
  train_step = jax.jit(steps.train_step, static_argnums=(3, 4))  # eager convolutions are slow
  loss = losses.from_config(config)
  _, plain = train_step(state, batch, make_key(), loss, augment.Augmentation())
  key = make_key()
  _, augmented = train_step(state, batch, key, loss, augment.from_config(config.augment))
  assert float(plain['loss']) != float(augmented['loss'])
