"""Shared fixtures: fresh jax.random keys, tiny configs, and the real-data folders."""

import itertools
import os
import pathlib
import shutil
import tempfile
import zlib

# One XLA compilation cache for the session, shared with every subprocess a test
# starts (they inherit the environment). The suite builds the same tiny models again
# and again, and compiling them, not running them, was most of its time. A new empty
# folder each session, so no run depends on one before it; a subprocess that imports
# this module (tests/sharded_check.py, ...) joins its parent's. Set before jax is
# imported, which reads these once.
_OWN_COMPILATION_CACHE = 'JAX_AE_TEST_COMPILATION_CACHE' not in os.environ
if _OWN_COMPILATION_CACHE:
  os.environ['JAX_AE_TEST_COMPILATION_CACHE'] = tempfile.mkdtemp(prefix='jax-ae-tests-xla-')
os.environ['JAX_COMPILATION_CACHE_DIR'] = os.environ['JAX_AE_TEST_COMPILATION_CACHE']
os.environ['JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS'] = '0'
os.environ['JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES'] = '0'

from hypothesis import settings  # pylint: disable=wrong-import-position
import jax  # pylint: disable=wrong-import-position
import pytest  # pylint: disable=wrong-import-position

from configs import default  # pylint: disable=wrong-import-position
from jax_ae import data  # pylint: disable=wrong-import-position
from jax_ae import models  # pylint: disable=wrong-import-position
from jax_ae import steps  # pylint: disable=wrong-import-position
from tests import tfds_mock  # pylint: disable=wrong-import-position

# In CI (env CI set): the same examples on every run, and no per-example deadline on a
# loaded machine. Elsewhere hypothesis' defaults, new examples each run.
settings.register_profile('ci', derandomize=True, max_examples=20, deadline=None)
if os.environ.get('CI'):
  settings.load_profile('ci')


def pytest_unconfigure(config):
  del config
  if _OWN_COMPILATION_CACHE:
    shutil.rmtree(os.environ['JAX_AE_TEST_COMPILATION_CACHE'], ignore_errors=True)


REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
# CI and developers keep the canonical IDX files beside the checkout, never inside it.
SHARED_DATA = pathlib.Path(os.environ.get('JAX_AE_SHARED_DATA', REPO_ROOT.parent / 'shared' / 'data'))
VERSIONS = models.VERSIONS  # the notebook's
ALL_MODELS = tuple(models.REGISTRY)  # and Hinton & Salakhutdinov's, the to-do list's CNNs
# Sizes that make any model train in seconds, for the fields it takes.
TINY_MODEL_FIELDS = {'hidden_units': 16, 'hidden_widths': (32, 16), 'code_dim': 4,
                     'features': (4, 8), 'dense_units': 16}
MOCK_EXAMPLES = 24


@pytest.fixture
def make_key(request):
  """Returns a function that hands out a new key on each call, fixed per test."""
  base_key = jax.random.key(zlib.crc32(request.node.nodeid.encode()))
  counter = itertools.count()
  return lambda: jax.random.fold_in(base_key, next(counter))


def tiny_config(version: str = 'v1'):
  """The default config with model `version`, shrunk so a run takes seconds."""
  config = default.get_config()
  config.model = models.default_model_config(version)
  config.model.update({name: value for name, value in TINY_MODEL_FIELDS.items()
                       if name in config.model})
  config.task = models.REGISTRY[version].task
  config.batch_size = 8
  config.eval_batch_size = 16
  config.num_epochs = 2
  config.num_reconstructions = 4
  return config


def new_train_state(config, key, steps_per_epoch=None):
  """steps.create_train_state on the config's schedule, whose epochs are `steps_per_epoch`
  steps (default: those of the dataset's canonical training split)."""
  if steps_per_epoch is None:
    steps_per_epoch = steps.steps_per_epoch(data.NUM_TRAIN_EXAMPLES[config.data.name],
                                            config.batch_size)
  return steps.create_train_state(
      config, key, steps.create_learning_rate_fn(config.optim, steps_per_epoch))


@pytest.fixture
def mock_tfds():
  """tfds.testing.mock_data with MOCK_EXAMPLES random examples per split (tests/tfds_mock.py)."""
  with tfds_mock.mock_data(MOCK_EXAMPLES):
    yield MOCK_EXAMPLES


def shared_data_dir(name: str) -> pathlib.Path:
  """The manual folder of dataset `name`; where it is absent, skip the test (fail it in CI)."""
  folder = SHARED_DATA / name
  if not (folder / 'train-images-idx3-ubyte.gz').is_file():
    message = f'real {name} files not found in {folder}'
    if os.environ.get('CI'):
      pytest.fail(f'{message}; CI needs them (set JAX_AE_SHARED_DATA)', pytrace=False)
    pytest.skip(message)
  return folder
