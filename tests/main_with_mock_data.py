"""`python -m tests.main_with_mock_data ARGS` runs main.py on random mock data.

The end-to-end tests run main.py in a subprocess, as a user would, but without the
real datasets or a network: on tests/mock_arrays.py's random splits (no TensorFlow
import, 10 s less per process), or with JAX_AE_MOCK_DATA=tfds through tfds'
mock_data and so the whole data path. JAX_AE_MOCK_EXAMPLES sets the split size
(default: tests/helpers.py's MOCK_EXAMPLES, as in the tests' own mock data).
"""

import contextlib
import os

from absl import app

import main
from tests import helpers
from tests import mock_arrays
from tests import tfds_mock

MOCK_EXAMPLES = int(os.environ.get('JAX_AE_MOCK_EXAMPLES', helpers.MOCK_EXAMPLES))


def _mock_data():
  if os.environ.get('JAX_AE_MOCK_DATA') != 'tfds':
    mock_arrays.install(MOCK_EXAMPLES)
    return contextlib.nullcontext()
  return tfds_mock.mock_data(MOCK_EXAMPLES)


if __name__ == '__main__':
  with _mock_data():
    app.run(main.main, flags_parser=main.parse_flags)
