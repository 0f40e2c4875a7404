"""--mode=evaluate and --mode=report: measures against hand-computed values, and end to end."""

import json

import jax
import numpy as np
import pytest

from jax_ae import evaluate
from jax_ae import report
from jax_ae import train
from jax_ae.errors import UserError
from tests.conftest import tiny_config


def test_probe_accuracy_of_separable_and_of_uninformative_codes(make_key):
  labels = np.arange(400) % 4
  # Codes that are one-hot labels plus small noise: a linear probe reads them perfectly.
  noise = np.asarray(jax.random.normal(make_key(), (400, 4))) * 0.05
  codes = np.eye(4)[labels] + noise
  assert evaluate.probe_accuracy(codes[:300], labels[:300], codes[300:], labels[300:]) == 1.0
  # Codes independent of the labels: no better than the most frequent class (0.25).
  random_codes = np.asarray(jax.random.normal(make_key(), (400, 4)))
  assert evaluate.probe_accuracy(random_codes[:300], labels[:300], random_codes[300:],
                                 labels[300:]) < 0.45


def test_per_class_table_by_hand():
  labels = np.array([0, 0, 1, 1, 1])
  errors = np.array([0.1, 0.3, 0.0, 0.0, 0.6])
  faithful = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
  table = evaluate.per_class_table(labels, errors, faithful, ('zero', 'one', 'two'))
  assert table == [
      {'class': 'zero', 'count': 2, 'test_mse': pytest.approx(0.2), 'class_fidelity': 0.5},
      {'class': 'one', 'count': 3, 'test_mse': pytest.approx(0.2),
       'class_fidelity': pytest.approx(2 / 3)},
      {'class': 'two', 'count': 0, 'test_mse': None, 'class_fidelity': None}]


def test_baselines_are_cached_per_code_size(tmp_path, make_key):
  train_images = np.asarray(jax.random.uniform(make_key(), (50, 784)))
  test_images = np.asarray(jax.random.uniform(make_key(), (20, 784)))
  cache = str(tmp_path / 'baselines.json')
  first = evaluate.pca_baselines(train_images, test_images, 3, cache)
  np.testing.assert_allclose(first['mean_image_mse'],
                             np.mean(np.square(test_images - train_images.mean(0))), rtol=1e-6)
  assert json.loads((tmp_path / 'baselines.json').read_text()) == {'3': first}
  # A cached figure is read back, not recomputed from (here: other) images.
  assert evaluate.pca_baselines(train_images * 0, test_images, 3, cache) == first


def test_evaluate_end_to_end_and_its_errors(tmp_path, mock_tfds):
  del mock_tfds
  config = tiny_config('v1')
  with pytest.raises(UserError, match='holds no trained model'):
    evaluate.evaluate_run(config, str(tmp_path / 'autoencoder'))
  train.train_and_evaluate(config, str(tmp_path / 'autoencoder'))
  config.evaluate.cache_dir = str(tmp_path / 'cache')
  config.evaluate.classifier_workdir = str(tmp_path / 'classifier')
  with pytest.raises(UserError, match='configs/cnn_mnist.py'):
    evaluate.evaluate_run(config, str(tmp_path / 'autoencoder'))
  train.train_and_evaluate(tiny_config('cnn'), str(tmp_path / 'classifier'))
  results = evaluate.evaluate_run(config, str(tmp_path / 'autoencoder'))
  saved = json.loads((tmp_path / 'autoencoder' / 'eval.json').read_text())
  assert saved == json.loads(json.dumps(results))
  assert (tmp_path / 'autoencoder' / 'latent.png').read_bytes().startswith(b'\x89PNG')
  assert (tmp_path / 'autoencoder' / 'per_class.png').read_bytes().startswith(b'\x89PNG')
  np.testing.assert_allclose(results['sse_per_image'], results['test_mse'] * 784, rtol=1e-6)
  np.testing.assert_allclose(results['ratio_to_pca'], results['test_mse'] / results['pca_mse'])
  assert 0.0 <= results['class_fidelity'] <= 1.0 and results['epochs'] == 2
  metrics = [json.loads(line) for line in
             (tmp_path / 'autoencoder' / 'metrics.jsonl').read_text().splitlines()]
  np.testing.assert_allclose(results['test_mse'], metrics[-1]['test_loss'], rtol=1e-5)
  # --mode=report over it, and over a run that was never evaluated.
  rows = report.write_report(report.find_workdirs([str(tmp_path / 'auto*')]),
                             str(tmp_path / 'report'))
  assert [row['run'] for row in rows] == ['autoencoder']
  table = (tmp_path / 'report' / 'RESULTS.md').read_text()
  assert f"| autoencoder | v1 | mnist | 4 | 2 | {results['test_mse']:.3g} |" in table
  assert (tmp_path / 'report' / 'results.png').read_bytes().startswith(b'\x89PNG')
  with pytest.raises(UserError, match='classifier has no eval.json'):
    report.read_evaluations([str(tmp_path / 'autoencoder'), str(tmp_path / 'classifier')])
  wrong_model = tiny_config('v2')
  wrong_model.model.hidden_units = 32
  with pytest.raises(UserError, match='is not the one this config builds'):
    evaluate.evaluate_run(wrong_model, str(tmp_path / 'autoencoder'))
