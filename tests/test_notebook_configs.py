"""The notebook's reproductions: plain SGD, a training subset, and configs that load."""

import importlib
import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jax_ae.config import config_checks
from jax_ae.datasets import data
from jax_ae.errors import ConfigError
from jax_ae.models import losses
from jax_ae.models import tasks
from jax_ae.training import steps
from jax_ae.workdir import run_files
from tests.helpers import new_train_state, tiny_config


NOTEBOOK_CONFIGS = sorted(path.stem for path in (
    pathlib.Path(__file__).parents[1] / 'configs' / 'notebook').glob('v*.py'))


@pytest.mark.parametrize('name', NOTEBOOK_CONFIGS)
def test_the_notebook_configs_are_valid_and_give_their_command(name):
  module = importlib.import_module(f'configs.notebook.{name}')
  config_checks.validate(module.get_config())
  assert module.__doc__.startswith(
      f'python main.py --config=configs/notebook/{name}.py --workdir=runs/notebook_{name}\n')


@pytest.mark.slow
def test_sgd_takes_a_plain_gradient_step(make_key):
  config = tiny_config('v1')
  config.optim.name, config.optim.learning_rate = 'sgd', 0.1
  state = new_train_state(config, make_key(), 10)
  batch = {'image': jax.random.uniform(make_key(), (8, 784))}
  new_state, _ = steps.train_step(state, batch, make_key(), losses.Loss(tasks.RECONSTRUCT))

  def loss(params):
    return jnp.mean(jnp.square(state.apply_fn({'params': params}, batch['image']) - batch['image']))

  expected = jax.tree.map(lambda p, g: p - 0.1 * g, state.params, jax.grad(loss)(state.params))
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=1e-6), new_state.params, expected)


def test_sgd_with_weight_decay_is_refused():
  config = tiny_config('v1')
  config.optim.name, config.optim.weight_decay = 'sgd', 0.1
  with pytest.raises(ConfigError, match="optim.weight_decay is AdamW's"):
    config_checks.validate(config)


def test_a_training_subset_keeps_the_first_examples(mock_tfds):
  config = tiny_config()
  config.data.train_subset = 16
  config.data.validation_size = 4
  subset = data.load_dataset(config.data)
  config.data.train_subset = 0
  whole = data.load_dataset(config.data)
  np.testing.assert_array_equal(subset['train']['image'], whole['train']['image'][:16])
  np.testing.assert_array_equal(subset['validation']['image'], whole['validation']['image'])
  assert whole['train']['image'].shape[0] == mock_tfds - 4


def test_an_old_config_without_the_new_fields_is_completed_and_builds_adam(tmp_path):
  old = tiny_config().to_dict()
  del old['optim']['name'], old['data']['validation_size'], old['augment']['erase_size']
  del old['diagnostics']
  (tmp_path / 'config.json').write_text(json.dumps(old))
  config = run_files.load_run_config(str(tmp_path))
  assert (config.optim.name, config.data.validation_size, config.augment.erase_size,
          config.diagnostics.every_steps) == ('adam', 0, 0, 0)
  optimizer = steps.create_optimizer(config.optim, lambda step: 1e-3)
  state = optimizer.init({'w': jnp.ones(3)})
  assert any('ScaleByAdamState' in type(part).__name__ for part in jax.tree.leaves(
      state, is_leaf=lambda node: hasattr(node, '_fields')))
