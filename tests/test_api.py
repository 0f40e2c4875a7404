"""The Python API a notebook uses: train and load a run, images through it, a code sweep."""

import logging

import jax
import numpy as np
import pytest

from jax_ae import api
from jax_ae.datasets import data
from jax_ae.errors import UserError
from jax_ae.models import networks
from jax_ae.training import train
from jax_ae.workdir import run_files
from tests.helpers import tiny_config, tiny_ema_config


def _untrained_run(make_key, version='v2'):
  config = tiny_config(version)
  model = networks.create_model(config.model)
  variables = networks.init_variables(model, make_key())
  return api.Run('unused', config, model, variables, [])


def test_sweep_code_moves_one_unit_at_a_time_from_the_mean_code(make_key):
  run = _untrained_run(make_key)
  codes = np.asarray(jax.random.normal(make_key(), (50, run.config.model.code_dim))) * 3 + 1
  swept = run.sweep_code(codes, spread=2.0, steps=5)
  code_dim = codes.shape[1]
  assert swept.shape == (code_dim, 5, 784)
  mean, std = codes.mean(axis=0), codes.std(axis=0)
  unit = code_dim - 1
  expected_codes = np.tile(mean, (5, 1))
  expected_codes[:, unit] = mean[unit] + np.array([-2, -1, 0, 1, 2]) * std[unit]
  np.testing.assert_allclose(swept[unit], run.decode(expected_codes), rtol=1e-5, atol=1e-6)
  # The middle step moves no unit: every row decodes the mean code there.
  for row in swept[:, 2]:
    np.testing.assert_allclose(row, run.decode(mean[None])[0], rtol=1e-5, atol=1e-6)


def test_reconstruct_is_the_models_evaluation_mode_call(make_key):
  run = _untrained_run(make_key, 'v4')  # BatchNorm: evaluation mode uses the running averages
  images = np.asarray(jax.random.uniform(make_key(), (1003, 784)))  # more than one batch
  np.testing.assert_allclose(run.reconstruct(images),
                             run.model.apply(run.variables, images, train=False),
                             rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_train_returns_the_run_it_saved_and_load_reads_it_back(tmp_path, mock_tfds, make_key):
  del mock_tfds
  api._read_once.cache_clear()  # pylint: disable=protected-access  # other tests' datasets
  config = tiny_config('v1')
  config.diagnostics.every_steps = 1
  root = logging.getLogger()
  handlers = list(root.handlers)
  run = api.train(config, str(tmp_path / 'v1'))
  assert root.handlers == handlers  # the console set up for the run is gone again
  assert (tmp_path / 'v1' / 'log.txt').read_text().count('epoch ') >= config.num_epochs
  assert run.metrics == run_files.RunFiles(str(tmp_path / 'v1'), writes=False).read_metrics()
  assert [row['epoch'] for row in run.metrics] == [1, 2]
  assert run.diagnostics and run.diagnostics[0]['step'] == 0
  images = np.asarray(jax.random.uniform(make_key(), (5, 784)))
  loaded = api.load(str(tmp_path / 'v1'))
  assert loaded.config.model.to_dict() == config.model.to_dict()
  np.testing.assert_array_equal(loaded.reconstruct(images), run.reconstruct(images))
  assert loaded.encode(images).shape == (5, config.model.code_dim)
  # Another training subset of the same dataset reuses the examples read for the first.
  config.data.train_subset = 10
  subset = api.load_data(config.data)
  whole = data.load_dataset(tiny_config('v1').data)
  np.testing.assert_array_equal(subset['train']['image'], whole['train']['image'][:10])
  np.testing.assert_array_equal(subset['test']['image'], whole['test']['image'])
  api._read_once.cache_clear()  # pylint: disable=protected-access


@pytest.mark.slow
def test_load_takes_the_weights_validation_chose_or_the_ones_named(tmp_path, mock_tfds):
  del mock_tfds
  config = tiny_ema_config('v2')
  workdir = str(tmp_path / 'v2')
  train.train_and_evaluate(config, workdir)
  raw, ema = api.load(workdir, 'raw'), api.load(workdir, 'ema')
  assert (raw.weights, ema.weights) == ('raw', 'ema')
  assert not np.allclose(raw.variables['params']['decoder_output']['kernel'],
                         ema.variables['params']['decoder_output']['kernel'])
  chosen = api.load(workdir)
  assert chosen.weights == run_files.RunFiles(workdir, writes=False).read_metrics()[-1][
      'test_weights']
  np.testing.assert_array_equal(
      chosen.variables['params']['decoder_output']['kernel'],
      {'raw': raw, 'ema': ema}[chosen.weights].variables['params']['decoder_output']['kernel'])
  with pytest.raises(UserError, match="weights must be one of"):
    api.load(workdir, 'best')
  config.optim.ema_decay = 0.0
  train.train_and_evaluate(config, str(tmp_path / 'plain'))
  with pytest.raises(UserError, match='kept no moving average'):
    api.load(str(tmp_path / 'plain'), 'ema')
