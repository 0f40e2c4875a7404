"""`python -m tests.main_with_mock_data ARGS` runs main.py on random mock data.

The end-to-end tests run main.py in a subprocess, as a user would, but without the
real datasets or a network: on tests/mock_arrays.py's random splits (no TensorFlow
import, 10 s less per process; tests/test_data.py runs main.py through tfds on the
real files). JAX_AE_MOCK_EXAMPLES sets the split size (default: tests/helpers.py's
MOCK_EXAMPLES, as in the tests' own mock data).
"""

import os

from absl import app

import main
from tests import helpers
from tests import mock_arrays

MOCK_EXAMPLES = int(os.environ.get('JAX_AE_MOCK_EXAMPLES', helpers.MOCK_EXAMPLES))


if __name__ == '__main__':
  mock_arrays.install(MOCK_EXAMPLES)
  app.run(main.main, flags_parser=main.parse_flags)
