"""Shared builders for the tests and the scripts they start: tiny configs, names, folders.

Plain functions and constants, imported as `from tests.helpers import ...`; the pytest
fixtures and hooks live in tests/conftest.py.
"""

import dataclasses
import os
import pathlib
import shutil
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from configs import default
from jax_ae.datasets import augment
from jax_ae.datasets import data
from jax_ae.models import networks
from jax_ae.training import steps

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
# CI and developers keep the canonical IDX files beside the checkout, never inside it.
SHARED_DATA = pathlib.Path(os.environ.get('JAX_AE_SHARED_DATA', REPO_ROOT.parent / 'shared' / 'data'))
VERSIONS = networks.VERSIONS  # the notebook's
ALL_MODELS = tuple(networks.REGISTRY)  # and Hinton & Salakhutdinov's, the to-do list's CNNs
# Sizes that make any model train in seconds, for the fields it takes.
TINY_MODEL_FIELDS = {'hidden_units': 16, 'hidden_widths': (32, 16), 'code_dim': 4,
                     'features': (4, 8), 'dense_units': 16}
MOCK_EXAMPLES = 24


def tiny_config(version: str = 'v1'):
  """The default config with model `version`, shrunk so a run takes seconds."""
  config = default.get_config()
  config.model = networks.default_model_config(version)
  config.model.update({name: value for name, value in TINY_MODEL_FIELDS.items()
                       if name in config.model})
  config.task = networks.REGISTRY[version].task
  config.batch_size = 8
  config.eval_batch_size = 16
  config.num_epochs = 2
  config.num_reconstructions = 4
  return config


def tiny_ema_config(version: str):
  """tiny_config with a moving average of the weights (optim.ema_decay 0.5) and a
  validation split of 8 mock examples to choose between the raw and averaged weights on."""
  config = tiny_config(version)
  config.optim.ema_decay = 0.5
  config.data.validation_size = 8
  return config


def new_train_state(config, key, steps_per_epoch=None):
  """steps.create_train_state on the config's schedule, whose epochs are `steps_per_epoch`
  steps (default: those of the dataset's canonical training split)."""
  if steps_per_epoch is None:
    steps_per_epoch = steps.steps_per_epoch(data.NUM_TRAIN_EXAMPLES[config.data.name],
                                            config.batch_size)
  return steps.create_train_state(
      config, key, steps.create_learning_rate_fn(config.optim, steps_per_epoch,
                                               config.num_epochs))


def shared_data_dir(name: str) -> pathlib.Path:
  """The manual folder of dataset `name`; where it is absent, skip the test (fail it in CI)."""
  # Here, not at the top: the scripts that tests start import this module, not pytest.
  import pytest  # pylint: disable=import-outside-toplevel
  folder = SHARED_DATA / name
  if not (folder / 'train-images-idx3-ubyte.gz').is_file():
    message = f'real {name} files not found in {folder}'
    if os.environ.get('CI'):
      pytest.fail(f'{message}; CI needs them (set JAX_AE_SHARED_DATA)', pytrace=False)
    pytest.skip(message)
  return folder


def step_each_way(config, make_key, *each_loss):
  """One un-augmented jitted train_step of a fresh `config` state per losses.Loss, all on
  the same batch of 8 random images (labels 0-7) and the same key.

  Returns (state before, [(state after, metrics) per loss], batch, key).
  """
  state = new_train_state(config, make_key(), 10)
  batch = {'image': jax.random.uniform(make_key(), (8, 784)), 'label': jnp.arange(8) % 10}
  key = make_key()
  step = jax.jit(steps.train_step, static_argnums=(3, 4))
  return state, [step(state, batch, key, loss, augment.Augmentation())
                 for loss in each_loss], batch, key


@jax.custom_vjp
def _with_nan_gradient(total: jax.Array) -> jax.Array:
  return total


_with_nan_gradient.defvjp(lambda total: (total, None),
                          lambda _, cotangent: (cotangent * jnp.nan,))


@dataclasses.dataclass(frozen=True)
class NanGradientLoss:
  """A losses.Loss whose value is its own and whose gradient is NaN everywhere: a step
  with a finite loss and a non-finite gradient, which no config makes on purpose.
  Hashable, so jit takes it as a static argument like the Loss it wraps."""

  loss: Any

  def __call__(self, outputs, batch):
    total, means = self.loss(outputs, batch)
    return _with_nan_gradient(total), means


def _largest_file(folder):
  paths = [os.path.join(root, name) for root, _, names in os.walk(folder) for name in names]
  return max(paths, key=os.path.getsize)


def _overwrite_middle(path, content: bytes) -> None:
  with open(path, 'r+b') as f:
    f.seek(os.path.getsize(path) // 2)
    f.write(content)


def _flip_middle_byte(path) -> None:
  with open(path, 'rb') as f:
    f.seek(os.path.getsize(path) // 2)
    byte = f.read(1)[0]
  _overwrite_middle(path, bytes([byte ^ 0xFF]))


def _replace_by_a_file(folder) -> None:
  shutil.rmtree(folder)
  pathlib.Path(folder).write_bytes(b'not a folder')


# Ways to damage one checkpoint step folder (a pathlib.Path), by name. Orbax reads the
# first two without an error: only the digest finds them.
CHECKPOINT_DAMAGES = {
    'one flipped byte': lambda step: _flip_middle_byte(_largest_file(step / 'state')),
    '4 KB of random bytes': lambda step: _overwrite_middle(
        _largest_file(step / 'state'), np.random.default_rng(0).bytes(4096)),
    'truncated data file': lambda step: open(_largest_file(step / 'state'), 'r+b').truncate(100),
    'garbage data file': lambda step: open(_largest_file(step / 'state'), 'wb').write(
        bytes(range(256)) * 20),
    'garbled meta/metadata': lambda step: (step / 'meta' / 'metadata').write_text('{"epoch": 2, "co'),
    'missing state/_METADATA': lambda step: (step / 'state' / '_METADATA').unlink(),
    'truncated manifest': lambda step: open(step / 'state' / 'manifest.ocdbt', 'r+b').truncate(10),
    'data folder replaced by a file': lambda step: _replace_by_a_file(
        os.path.dirname(_largest_file(step / 'state'))),
}


# Config files that fail to load, each with the sentence that says why (a regex).
BROKEN_CONFIGS = {
    'syntax error': ('def get_config(:\n  pass\n', r"has a syntax error at line 1: invalid syntax\."),
    'get_config raises': ('def get_config():\n  raise ValueError("no such setting")\n',
                          r"get_config\(\) of config file .* raised ValueError: no such setting "
                          r"\(line 2\)\."),
    'missing module': ('import no_such_module_for_jax_ae\n\ndef get_config():\n  return None\n',
                       r"cannot import what it needs \(line 1\): ModuleNotFoundError: No module "
                       r"named 'no_such_module_for_jax_ae'"),
    'no get_config': ('CONFIG = 1\n', r'defines no get_config\(\)'),
}
