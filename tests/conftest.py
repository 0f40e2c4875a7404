"""Fixtures and hooks: fresh jax.random keys, tfds mock data, the XLA cache, hypothesis.

Shared builders (tiny_config, REPO_ROOT, ...) are plain imports from tests/helpers.py.
"""

import itertools
import os
import shutil
import tempfile
import zlib

# One XLA compilation cache for the session, shared with every subprocess a test
# starts (tests/sharded_check.py, ...: they inherit these variables). The suite builds
# the same tiny models again and again, and compiling them, not running them, was most
# of its time. A new empty folder each session, so no run depends on one before it.
# Set before jax is imported (tests/helpers.py imports it), which reads these once.
_OWN_COMPILATION_CACHE = 'JAX_AE_TEST_COMPILATION_CACHE' not in os.environ
if _OWN_COMPILATION_CACHE:
  os.environ['JAX_AE_TEST_COMPILATION_CACHE'] = tempfile.mkdtemp(prefix='jax-ae-tests-xla-')
os.environ['JAX_COMPILATION_CACHE_DIR'] = os.environ['JAX_AE_TEST_COMPILATION_CACHE']
os.environ['JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS'] = '0'
os.environ['JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES'] = '0'
# LLVM at optimisation level 2 instead of XLA:CPU's default 3, for this session and the
# processes it starts, unless XLA_FLAGS already choose a level: the tests' programs are
# tiny and run once, so compiling them is what costs, and level 2 compiles a conv
# model's initialisation about 5x faster (6.5 s -> 1.3 s) to the same values. Level 0
# was faster still but changed a conv step's gradient norm by 0.6%: not the program the
# users run. BUILD.md, "Run the tests", has the suite's time with and without it.
if '--xla_backend_optimization_level' not in os.environ.get('XLA_FLAGS', ''):
  os.environ['XLA_FLAGS'] = (os.environ.get('XLA_FLAGS', '') +
                             ' --xla_backend_optimization_level=2').strip()
# On a GPU: each pytest worker takes the memory it uses, not 75% of the card, so the
# workers of `-n 2` can share one (the second worker aborted on an H200 without this,
# docs/performance.md), and float32 matrix products in full float32, not TF32: the tests
# check the models' arithmetic (linearity, batch independence, PyTorch's twin) at
# float32 tolerances. Neither changes anything on a CPU.
os.environ.setdefault('XLA_PYTHON_CLIENT_PREALLOCATE', 'false')
os.environ.setdefault('JAX_DEFAULT_MATMUL_PRECISION', 'highest')
# The programs main.py trains: its process settings (jax_ae/runtime/settings.py: the
# allocator, XLA:CPU's convolutions), applied before JAX starts, as main.py applies them.
from jax_ae.runtime import settings as process_settings  # pylint: disable=wrong-import-position
process_settings.configure_process()

from hypothesis import settings  # pylint: disable=wrong-import-position
import jax  # pylint: disable=wrong-import-position
import pytest  # pylint: disable=wrong-import-position

from tests import tfds_mock  # pylint: disable=wrong-import-position
from tests.helpers import MOCK_EXAMPLES, tiny_config  # pylint: disable=wrong-import-position

# In CI (env CI set): the same examples on every run, and no per-example deadline on a
# loaded machine. Elsewhere hypothesis' defaults, new examples each run.
settings.register_profile('ci', derandomize=True, max_examples=20, deadline=None)
if os.environ.get('CI'):
  settings.load_profile('ci')


def pytest_unconfigure(config):
  del config
  if _OWN_COMPILATION_CACHE:
    shutil.rmtree(os.environ['JAX_AE_TEST_COMPILATION_CACHE'], ignore_errors=True)


@pytest.fixture
def make_key(request):
  """Returns a function that hands out a new key on each call, fixed per test."""
  base_key = jax.random.key(zlib.crc32(request.node.nodeid.encode()))
  counter = itertools.count()
  return lambda: jax.random.fold_in(base_key, next(counter))


@pytest.fixture
def mock_tfds():
  """tfds.testing.mock_data with MOCK_EXAMPLES random examples per split (tests/tfds_mock.py)."""
  with tfds_mock.mock_data(MOCK_EXAMPLES):
    yield MOCK_EXAMPLES



@pytest.fixture(scope='session')
def finished_tiny_run(tmp_path_factory):
  """A finished 2-epoch run of tiny_config() under mock data, with a checkpoint after each
  epoch (steps 3 and 6). Read it, or copy it before changing it."""
  from jax_ae.training import train  # pylint: disable=g-import-not-at-top,import-outside-toplevel
  workdir = tmp_path_factory.mktemp('finished')
  with tfds_mock.mock_data(MOCK_EXAMPLES):
    train.train_and_evaluate(tiny_config(), str(workdir))
  return workdir


def pytest_collection_modifyitems(items):
  """A notebook (nbmake's item; testpaths holds notebooks/) trains for a minute: `slow`.

  Then the run's order, which pytest-xdist hands out in (`--dist loadgroup
  --no-loadscope-reorder`, pyproject.toml): the notebook, then every `slow` test, then the
  rest, each part in collection order. The two workers start on the longest work and
  finish on tests of a second or less, so neither waits idle at the end on a long one.
  A module or session fixture is built on each worker whose tests ask for it.
  """
  for item in items:
    if item.path.suffix == '.ipynb':
      item.add_marker(pytest.mark.slow)
  items.sort(key=lambda item: (item.path.suffix != '.ipynb',
                               item.get_closest_marker('slow') is None))
