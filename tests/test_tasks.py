"""Losses, metrics and the confusion matrix against values computed by hand."""

import jax.numpy as jnp
import numpy as np
import pytest

from jax_ae.figures import run_pictures
from jax_ae.models import tasks


def test_cross_entropy_and_accuracy_match_hand_computed_values():
  logits = jnp.array([[2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                      [0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                      [0.0] * 10])
  labels = jnp.array([0, 5, 9])
  metrics = tasks.CLASSIFY.per_example_metrics(logits, {'label': labels})
  # -log softmax: e^2 / (e^2 + 9); e^0 / (e^3 + 9); 1 / 10.
  expected = [-np.log(np.e**2 / (np.e**2 + 9)), -np.log(1 / (np.e**3 + 9)), np.log(10.0)]
  np.testing.assert_allclose(metrics['loss'], expected, rtol=1e-6)
  # Row 3 is a ten-way tie: argmax takes class 0, which is wrong for label 9.
  np.testing.assert_array_equal(metrics['accuracy'], [1.0, 0.0, 0.0])


def test_reconstruction_loss_is_mean_squared_error_per_pixel():
  images = jnp.zeros((2, 784))
  reconstructions = images.at[0, :392].set(1.0).at[1, 0].set(0.5)
  metrics = tasks.RECONSTRUCT.per_example_metrics(reconstructions, {'image': images})
  np.testing.assert_allclose(metrics['loss'], [0.5, 0.25 / 784], rtol=1e-6)
  assert tasks.RECONSTRUCT.metric_names == tuple(metrics)


def test_evaluation_sums_skip_padding_and_count_confusions():
  logits = jnp.eye(10)[jnp.array([1, 1, 2, 7])] * 5.0
  batch = {'label': jnp.array([1, 2, 2, 3]), 'mask': jnp.array([1.0, 1.0, 1.0, 0.0])}
  sums = tasks.CLASSIFY.evaluation_sums(logits, batch)
  assert float(sums['count']) == 3.0
  assert float(sums['accuracy_sum']) == 2.0  # the padded 4th example, wrong, is not counted
  expected = np.zeros((10, 10))
  expected[1, 1] = expected[2, 1] = expected[2, 2] = 1
  np.testing.assert_array_equal(sums['confusion'], expected)


def test_most_confident_mistakes_come_first():
  probabilities = np.array([[0.99, 0.01], [0.27, 0.73], [0.01, 0.99], [0.95, 0.05]])
  labels = np.array([0, 0, 0, 1])
  # Wrong: rows 1 (p=0.73), 2 (p=0.99), 3 (p=0.95).
  np.testing.assert_array_equal(run_pictures.most_confident_mistakes(probabilities, labels, 2), [2, 3])


def test_a_classifiers_per_class_accuracy_reads_the_test_confusion_rows():
  confusion = np.zeros((10, 10))
  confusion[0, 0], confusion[0, 6] = 3, 1  # 3 of 4 T-shirts right, one read as a shirt
  confusion[6, 6] = 2
  names = [f'class {index}' for index in range(10)]
  rows = tasks.CLASSIFY.per_class({'test_loss': 0.1, 'test_confusion': confusion}, names)
  assert rows[0] == {'class': 'class 0', 'count': 4, 'accuracy': 0.75}
  assert rows[6] == {'class': 'class 6', 'count': 2, 'accuracy': 1.0}
  assert rows[1] == {'class': 'class 1', 'count': 0, 'accuracy': None}
  # Only a run that read the test split has them; an autoencoder has none here.
  assert tasks.CLASSIFY.per_class({'val_confusion': confusion}, names) is None
  assert tasks.RECONSTRUCT.per_class({'test_loss': 0.1}, names) is None


@pytest.mark.parametrize('task, figures, chosen', [
    (tasks.RECONSTRUCT, {'val_loss': 0.02, 'val_ema_loss': 0.01}, 'ema'),
    (tasks.RECONSTRUCT, {'val_loss': 0.01, 'val_ema_loss': 0.02}, 'raw'),
    (tasks.RECONSTRUCT, {'val_loss': 0.01, 'val_ema_loss': 0.01}, 'raw'),  # a tie: raw
    (tasks.RECONSTRUCT, {'val_loss': float('nan'), 'val_ema_loss': 0.01}, 'raw'),
    (tasks.RECONSTRUCT, {'test_loss': 0.02, 'test_ema_loss': 0.01}, 'raw'),  # never on test
    # A classifier's record is its accuracy: a higher loss does not outweigh it ...
    (tasks.CLASSIFY, {'val_accuracy': 0.95, 'val_loss': 0.2,
                      'val_ema_accuracy': 0.96, 'val_ema_loss': 0.3}, 'ema'),
    (tasks.CLASSIFY, {'val_accuracy': 0.96, 'val_loss': 0.3,
                      'val_ema_accuracy': 0.95, 'val_ema_loss': 0.2}, 'raw'),
    # ... and the loss settles a tie.
    (tasks.CLASSIFY, {'val_accuracy': 0.95, 'val_loss': 0.3,
                      'val_ema_accuracy': 0.95, 'val_ema_loss': 0.2}, 'ema'),
])
def test_the_weights_better_on_validation_are_chosen_by_the_tasks_figure(task, figures, chosen):
  weights, why = task.chosen_weights(figures)
  assert weights == chosen
  assert why
