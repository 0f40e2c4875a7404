"""What a run leaves in its workdir is enough to reproduce what it reported."""

import json

import numpy as np
import pytest

from jax_ae.datasets import data
from jax_ae.models import tasks
from jax_ae.training import held_out
from jax_ae.training import train
from jax_ae.workdir import run_files
from tests.helpers import new_train_state, tiny_config


@pytest.mark.slow  # a whole run through train_and_evaluate
def test_model_msgpack_reproduces_the_last_reported_test_loss(tmp_path, mock_tfds, make_key):
  del mock_tfds
  config = tiny_config('v4')  # BatchNorm: the running statistics must come back too
  train.train_and_evaluate(config, str(tmp_path))
  reported = json.loads((tmp_path / 'metrics.jsonl').read_text().splitlines()[-1])['test_loss']

  # A fresh model from another key, then only what the workdir holds.
  template = new_train_state(config, make_key())
  variables = run_files.load_model_variables(
      str(tmp_path), {'params': template.params, 'batch_stats': template.batch_stats})
  state = template.replace(**variables)
  test_batches = held_out.batch_for_evaluation(data.load_dataset(config.data)['test'],
                                                  config.eval_batch_size)
  test_loss = lambda state: float(held_out.split_results(state, test_batches, tasks.RECONSTRUCT)['loss'])  # noqa: E731
  np.testing.assert_allclose(test_loss(state), reported, rtol=1e-5)
  assert abs(test_loss(template) - reported) > 1e-3  # so the check above could fail
