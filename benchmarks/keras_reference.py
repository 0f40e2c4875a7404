"""V1-V5 as a JAX user would write them without a training loop: Keras 3 on the JAX backend.

    python -m benchmarks.keras_reference [--batch_size=32] [--repetitions=5]

Keras 3 with `KERAS_BACKEND=jax` compiles its train step with the same XLA as jax-ae, so
the ratio of the two measures the training loop's design, not the compiler. The models
are the notebook's nn.Sequential layers (benchmarks/torch_reference.py) as
keras.Sequential, trained by `model.fit` with Adam 1e-3 and MSE on synthetic data of
MNIST's shape, after a warm-up fit that compiles. `steps_per_execution` 1 is fit's
default; 100 is its setting for several steps per call (Keras 3.15's JAX trainer runs
them as a Python loop over the jitted step, with one callback per call).

The backend is chosen when keras is first imported: bench_all.py calls
`keras_steps_per_second` in a fresh process, and this module sets the backend itself.
"""

import os
import sys

from absl import app
from absl import flags
import numpy as np

from benchmarks import timing
from benchmarks.torch_reference import VERSIONS  # the models this module mirrors

FLAGS = flags.FLAGS

STEPS_PER_EXECUTION = (1, 100)


def _keras():
  """keras, on the JAX backend: the caller's process must not have imported it otherwise."""
  os.environ['KERAS_BACKEND'] = 'jax'
  import keras  # pylint: disable=g-import-not-at-top
  if keras.backend.backend() != 'jax':
    raise RuntimeError(f'keras was already imported on the {keras.backend.backend()} backend')
  return keras


def notebook_model(version: str, keras, hidden: int = 128):
  """torch_reference.notebook_model's layers as a keras.Sequential.

  BatchNorm1d(affine=False) is BatchNormalization without centre or scale, PyTorch's
  momentum 0.1 Keras's 0.9, and its epsilon 1e-5.
  """
  layers = keras.layers
  dense = layers.Dense
  if version in ('v1', 'v2'):
    act = 'sigmoid' if version == 'v2' else None
    stack = [dense(hidden, act), dense(10), dense(hidden, act), dense(784, act)]
  elif version == 'v3':
    stack = [dense(1500, 'relu'), dense(1000, 'relu'), dense(500, 'relu'), dense(20, 'sigmoid'),
             dense(500, 'relu'), dense(1000, 'relu'), dense(1500, 'relu'), dense(784)]
  else:
    def bn(affine=False):
      return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, center=affine, scale=affine)
    stack = [bn()] if version == 'v5' else []
    stack += [dense(128), bn(), dense(64, 'relu'), bn(), dense(32, 'relu'), bn(), dense(16),
              bn(affine=True), dense(32, 'relu'), bn(), dense(64, 'relu'), bn(),
              dense(128, 'relu'), bn(), dense(784, 'relu')]
  return keras.Sequential([keras.Input((784,))] + stack)


def keras_steps_per_second(version: str, batch_size: int, steps: int, repetitions: int,
                           steps_per_execution: int) -> float:
  """Train steps per second of `model.fit` over `steps` batches: median of timed fits."""
  keras = _keras()
  keras.utils.set_random_seed(0)
  model = notebook_model(version, keras)
  model.compile(optimizer=keras.optimizers.Adam(1e-3), loss='mse', jit_compile=True,
                steps_per_execution=steps_per_execution)
  images = np.random.default_rng(0).random((steps * batch_size, 784), dtype=np.float32)

  def fit():
    model.fit(images, images, batch_size=batch_size, epochs=1, verbose=0)

  return steps / timing.median_seconds(fit, repetitions)  # the warm-up compiles


def dense_record_model(record, keras):
  """A dense record's network (benchmarks/torch_dense_records.py's DENSE_RECORDS entry) as
  a functional Keras model that trains as jax-ae's config does: each image shifted by up
  to `max_shift` whole pixels, zeros let in, in training only (`_random_shift`: Keras's
  RandomTranslation would take fit's step out of XLA), then the dense autoencoder. Its
  output is [reconstruction, shifted input], so that the loss (`_shifted_mse`) compares
  the reconstruction with the image it was given."""
  import functools  # pylint: disable=g-import-not-at-top
  layers = keras.layers
  activation = {'gelu': functools.partial(keras.activations.gelu, approximate=True),  # Flax's
                'relu': 'relu'}[record['hidden_activation']]
  inputs = keras.Input((784,))
  shifted = _random_shift(keras, record['max_shift'])(inputs)
  x = shifted
  for width in record['hidden_widths']:
    x = layers.Dense(width, activation)(x)
  x = layers.Dense(record['code_dim'])(x)  # the linear code
  for width in record['hidden_widths'][::-1]:
    x = layers.Dense(width, activation)(x)
  reconstruction = layers.Dense(784, 'sigmoid')(x)
  return keras.Model(inputs, layers.Concatenate()([reconstruction, shifted]))


def _random_shift(keras, max_shift: int):
  """A layer that moves each [784] image by up to `max_shift` pixels along each axis."""
  ops = keras.ops

  class RandomShift(keras.layers.Layer):

    def __init__(self):
      super().__init__()
      self.seed = keras.random.SeedGenerator(0)

    def call(self, images, training=None):
      if not training:
        return images
      batch = ops.shape(images)[0]
      padded = ops.pad(ops.reshape(images, (-1, 28, 28)),
                       [[0, 0], [max_shift, max_shift], [max_shift, max_shift]])
      offsets = keras.random.randint((batch, 2), 0, 2 * max_shift + 1, seed=self.seed)
      rows = offsets[:, :1] + ops.arange(28)[None, :]  # [batch, 28]
      columns = offsets[:, 1:] + ops.arange(28)[None, :]
      side = 28 + 2 * max_shift
      picked = ops.take_along_axis(
          padded, ops.broadcast_to(rows[:, :, None], (batch, 28, side)), axis=1)
      picked = ops.take_along_axis(
          picked, ops.broadcast_to(columns[:, None, :], (batch, 28, 28)), axis=2)
      return ops.reshape(picked, (-1, 784))

  return RandomShift()


def _shifted_mse(keras):
  def loss(unused_targets, outputs):
    return keras.ops.mean(keras.ops.square(outputs[:, :784] - outputs[:, 784:]), axis=-1)
  return loss


def keras_dense_record_steps_per_second(network: str, batch_size: int, steps: int,
                                        repetitions: int, steps_per_execution: int) -> float:
  """Train steps per second of `model.fit` for a dense record's config: its shifts, AdamW
  on the kernels (biases excluded), a warm-up then cosine schedule.

  Without the moving average of the weights, a lighter step than jax-ae's: Keras 3.15's
  own (`AdamW(use_ema=True)`) fails in this model's first fit on the JAX backend ('Attempt
  to donate the same buffer twice', then a variable without a value), with or without
  the shifts, the schedule or the decay, while a two-layer Sequential model trains with it.
  """
  from benchmarks import torch_dense_records  # pylint: disable=g-import-not-at-top
  keras = _keras()
  keras.utils.set_random_seed(0)
  record = torch_dense_records.DENSE_RECORDS[network]
  model = dense_record_model(record, keras)
  steps_per_epoch = torch_dense_records.TRAIN_EXAMPLES // batch_size
  warmup = round(record['warmup_epochs'] * steps_per_epoch)
  schedule = keras.optimizers.schedules.CosineDecay(
      initial_learning_rate=0.0, decay_steps=record['num_epochs'] * steps_per_epoch - warmup,
      warmup_target=record['learning_rate'], warmup_steps=warmup)
  optimizer = keras.optimizers.AdamW(schedule, weight_decay=record['weight_decay'],
                                     use_ema=False)
  optimizer.exclude_from_weight_decay(var_names=['bias'])
  model.compile(optimizer=optimizer, loss=_shifted_mse(keras), jit_compile=True,
                steps_per_execution=steps_per_execution)
  images = np.random.default_rng(0).random((steps * batch_size, 784), dtype=np.float32)

  def fit():
    model.fit(images, images, batch_size=batch_size, epochs=1, verbose=0)

  return steps / timing.median_seconds(fit, repetitions)  # the warm-up compiles


def version() -> str:
  """Keras's version, without importing it on a backend (bench_all's own process)."""
  from importlib import metadata  # pylint: disable=g-import-not-at-top
  return metadata.version('keras')


def main(argv):
  del argv
  print(f'keras {version()} on jax')
  for model_version in VERSIONS:
    rates = [keras_steps_per_second(model_version, FLAGS.batch_size, FLAGS.steps,
                                    FLAGS.repetitions, spe) for spe in STEPS_PER_EXECUTION]
    print(model_version, ' '.join(f'spe={spe}: {rate:,.0f} steps/s'
                                  for spe, rate in zip(STEPS_PER_EXECUTION, rates)))
  return 0


if __name__ == '__main__':
  # Defined here, not on import, so benchmarks.bench_all can import this module beside its own.
  flags.DEFINE_integer('batch_size', 32, 'Batch size (the notebook: 32).')
  flags.DEFINE_integer('repetitions', 5, 'Timed fits per figure; the median is reported.')
  flags.DEFINE_integer('steps', 200, 'Train steps per timed fit.')
  sys.exit(app.run(main))
