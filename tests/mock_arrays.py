"""Random datasets without TensorFlow, for tests that start Python processes.

Importing tensorflow and tensorflow-datasets costs a process about 10 s, most of a
tiny run's time, and tfds' mock_data needs both. `install(num_examples)` makes
`data.load_dataset` read `num_examples` random images (pixels k/255, as tfds gives)
and labels per split instead, the same in every process, while the rest of it (the
validation split, train_subset) runs as usual. The data path through tfds has tests
of its own (tests/test_data.py, and test_main's run on tfds' mock data).
"""

import zlib

import numpy as np

from jax_ae.datasets import data


def _split(num_examples: int, split: str) -> data.Split:
  rng = np.random.default_rng(zlib.crc32(split.encode()))
  pixels = rng.integers(0, 256, (num_examples, 784))
  return {'image': (pixels / 255.0).astype(np.float32),
          'label': rng.integers(0, 10, num_examples).astype(np.int32)}


def install(num_examples: int) -> None:
  # pylint: disable=protected-access
  data._hide_gpus_from_tensorflow = lambda: None
  data._prepare = lambda data_config: data_config.name
  data._read_split = lambda builder, split: _split(num_examples, split)
