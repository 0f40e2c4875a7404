"""`python -m tests.main_with_mock_data ARGS` runs main.py on random mock data.

The end-to-end tests run main.py in a subprocess, as a user would, but without the
real datasets or a network: on tests/mock_arrays.py's random splits (no TensorFlow
import, 10 s less per process), or with JAX_AE_MOCK_DATA=tfds through tfds'
mock_data and so the whole data path. JAX_AE_MOCK_EXAMPLES sets the split size.
"""

import contextlib
import os

from absl import app

import main
from jax_ae import data
from tests import mock_arrays

MOCK_EXAMPLES = int(os.environ.get('JAX_AE_MOCK_EXAMPLES', '24'))


def _mock_data():
  if os.environ.get('JAX_AE_MOCK_DATA') != 'tfds':
    mock_arrays.install(MOCK_EXAMPLES)
    return contextlib.nullcontext()
  import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
  # Mocked datasets are never "prepared"; skip the download-host check as tfds'
  # mocked download_and_prepare does the rest.
  data._download_host_unreachable = lambda builder: False  # pylint: disable=protected-access
  return tfds.testing.mock_data(num_examples=MOCK_EXAMPLES)


if __name__ == '__main__':
  with _mock_data():
    app.run(main.main, flags_parser=main.parse_flags)
