"""tfds' mock data behind data.load_dataset, for tests that want the whole tfds path.

tests/mock_arrays.py is the cheaper stand-in (no TensorFlow import); this one keeps
tfds' builders, splits and decoding, with random examples.
"""

import contextlib


@contextlib.contextmanager
def mock_data(num_examples: int):
  """tfds.testing.mock_data with `num_examples` per split, as if the download host answered.

  Mocked datasets are never "prepared", so data.py would otherwise refuse them on a
  machine without network before tfds' mocked download_and_prepare is reached.
  """
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  from jax_ae.datasets import data  # pylint: disable=import-outside-toplevel
  unreachable = data._download_host_unreachable  # pylint: disable=protected-access
  data._download_host_unreachable = lambda builder: False  # pylint: disable=protected-access
  try:
    with tfds.testing.mock_data(num_examples=num_examples):
      yield num_examples
  finally:
    data._download_host_unreachable = unreachable  # pylint: disable=protected-access
