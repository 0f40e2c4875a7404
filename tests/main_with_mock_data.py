"""`python -m tests.main_with_mock_data ARGS` runs main.py on tfds' random mock data.

The end-to-end tests run main.py in a subprocess, as a user would, but without the
real datasets or a network.
"""

import os

from absl import app
import tensorflow_datasets as tfds

import main
from jax_ae import data

MOCK_EXAMPLES = int(os.environ.get('JAX_AE_MOCK_EXAMPLES', '24'))

if __name__ == '__main__':
  # Mocked datasets are never "prepared"; skip the download-host check as tfds'
  # mocked download_and_prepare does the rest.
  data._download_host_unreachable = lambda builder: False  # pylint: disable=protected-access
  with tfds.testing.mock_data(num_examples=MOCK_EXAMPLES):
    app.run(main.main, flags_parser=main.parse_flags)
