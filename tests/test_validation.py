"""The validation split: held out from training, the same in every run, reported per epoch."""

import json
import logging

import jax
import numpy as np
import pytest

from jax_ae.datasets import data
from jax_ae.training import steps
from jax_ae.training import train
from jax_ae.training import train_loops
from tests.helpers import tiny_config

VALIDATION_SIZE = 8


def _rows(images: np.ndarray) -> set:
  return {image.tobytes() for image in np.asarray(images)}


def test_split_off_validation_holds_out_the_last_examples(make_key):
  images = jax.random.uniform(make_key(), (20, 784))
  dataset = {'train': {'image': np.asarray(images), 'label': np.arange(20)},
             'test': {'image': np.zeros((3, 784)), 'label': np.zeros(3)}}
  split = data.split_off_validation(dataset, 5)
  np.testing.assert_array_equal(split['validation']['label'], np.arange(15, 20))
  np.testing.assert_array_equal(split['train']['label'], np.arange(15))
  assert split['test'] is dataset['test']
  assert data.split_off_validation(dataset, 0) is dataset


def test_validation_is_fixed_across_runs_and_never_in_a_training_batch(mock_tfds):
  config = tiny_config()
  config.data.validation_size = VALIDATION_SIZE
  first, second = data.load_dataset(config.data), data.load_dataset(config.data)
  for name in ('image', 'label'):
    np.testing.assert_array_equal(first['validation'][name], second['validation'][name])
  assert first['train']['image'].shape[0] == mock_tfds - VALIDATION_SIZE
  validation_images = _rows(first['validation']['image'])
  trainer = train_loops.Trainer(config, first['train'])
  trained_images = np.asarray(trainer.train_arrays['image'])
  for epoch in (1, 2, 3):
    indices = np.asarray(trainer.epoch_batch_indices(steps.shuffle_key(config.seed, epoch)))
    assert not _rows(trained_images[indices.ravel()]) & validation_images


@pytest.mark.slow
def test_each_epoch_reports_validation_and_only_the_last_the_test_split(tmp_path, mock_tfds,
                                                                       caplog):
  del mock_tfds
  config = tiny_config()
  config.data.validation_size = VALIDATION_SIZE
  with caplog.at_level(logging.INFO):
    train.train_and_evaluate(config, str(tmp_path))
  rows = [json.loads(line) for line in (tmp_path / 'metrics.jsonl').read_text().splitlines()]
  assert [row['epoch'] for row in rows] == [1, 2]
  assert all(np.isfinite(row['val_loss']) for row in rows)
  # The test split is read once, after the last epoch: nothing to tune on before.
  assert ['test_loss' in row for row in rows] == [False, True]
  assert np.isfinite(rows[-1]['test_loss']) and rows[-1]['test_loss'] != rows[-1]['val_loss']
  console = [record.getMessage() for record in caplog.records
             if record.getMessage().startswith('epoch ')]
  assert ['test_loss' in line for line in console] == [False, True]


def test_without_a_validation_split_no_val_metrics_are_written(finished_tiny_run):
  row = json.loads((finished_tiny_run / 'metrics.jsonl').read_text().splitlines()[-1])
  assert not any(name.startswith('val_') for name in row)
