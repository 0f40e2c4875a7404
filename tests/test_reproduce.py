"""What a run leaves in its workdir is enough to reproduce what it reported."""

import json

import jax
import numpy as np

from jax_ae import data
from jax_ae import run_files
from jax_ae import train
from tests.conftest import tiny_config


def test_model_msgpack_reproduces_the_last_reported_test_loss(tmp_path, mock_tfds):
  del mock_tfds
  config = tiny_config('v4')  # BatchNorm: the running statistics must come back too
  train.train_and_evaluate(config, str(tmp_path))
  reported = json.loads((tmp_path / 'metrics.jsonl').read_text().splitlines()[-1])['test_loss']

  # A fresh model from another seed, then only what the workdir holds.
  template = train.create_train_state(config, jax.random.key(config.seed + 1))
  variables = run_files.load_model_variables(
      str(tmp_path), {'params': template.params, 'batch_stats': template.batch_stats})
  state = template.replace(**variables)
  test_split = data.load_dataset(config.data)['test']
  test_loss = train.evaluate(state, train.batch_for_evaluation(test_split, config.eval_batch_size))
  np.testing.assert_allclose(float(test_loss['loss']), reported, rtol=1e-5)
  untrained = train.evaluate(template, train.batch_for_evaluation(test_split, 16))['loss']
  assert abs(float(untrained) - reported) > 1e-3  # the check above could fail
