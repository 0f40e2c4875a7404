"""What a run learns (`config.task`): its loss, its metrics and its pictures, in one place.

reconstruct: the autoencoders. Loss: mean squared error per pixel of each image.
  Picture: test images above their reconstructions.
classify: the CNN classifier. Loss: softmax cross-entropy; metric: accuracy.
  Pictures: the test split's confusion matrix, and its most confidently
  misclassified images.

The train loop asks this module and never branches on the task itself.
"""

from typing import Callable, Dict, Tuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jax_ae import plots
from jax_ae.models import NUM_CLASSES
from jax_ae.plots import Picture

TASKS = ('reconstruct', 'classify')
LOSS_DESCRIPTIONS = {'reconstruct': 'mean squared error per pixel',
                     'classify': 'softmax cross-entropy'}
NUM_MISCLASSIFIED_SHOWN = 16


def metric_names(task: str) -> Tuple[str, ...]:
  """The per-example metrics of `per_example_metrics`, 'loss' first."""
  return ('loss',) if task == 'reconstruct' else ('loss', 'accuracy')


def reconstruction_loss(reconstructions: jax.Array, images: jax.Array) -> jax.Array:
  """Mean squared error per pixel of each example: [batch, 784] x2 -> [batch]."""
  return jnp.mean(jnp.square(reconstructions - images), axis=-1)


def per_example_metrics(task: str, outputs: jax.Array, batch) -> Dict[str, jax.Array]:
  """{name: [batch]} for `metric_names(task)`, from the model's outputs on the batch.

  outputs: reconstructions [batch, 784] or logits [batch, 10].
  """
  if task == 'reconstruct':
    return {'loss': reconstruction_loss(outputs, batch['image'])}
  return {
      'loss': optax.softmax_cross_entropy_with_integer_labels(outputs, batch['label']),
      'accuracy': (jnp.argmax(outputs, axis=-1) == batch['label']).astype(jnp.float32),
  }


def confusion_counts(logits: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
  """[10, 10] counts of (true class, predicted class) over the batch's real examples."""
  true = jax.nn.one_hot(labels, NUM_CLASSES) * mask[:, None]
  predicted = jax.nn.one_hot(jnp.argmax(logits, axis=-1), NUM_CLASSES)
  return true.T @ predicted


def evaluation_sums(task: str, outputs: jax.Array, batch) -> Dict[str, jax.Array]:
  """Sums over the batch's real examples (`mask` 0 on padding) that `evaluate` adds up."""
  mask = batch['mask']
  sums = {f'{name}_sum': jnp.sum(values * mask)
          for name, values in per_example_metrics(task, outputs, batch).items()}
  sums['count'] = jnp.sum(mask)
  if task == 'classify':
    sums['confusion'] = confusion_counts(outputs, batch['label'], mask)
  return sums


def most_confident_mistakes(probabilities: np.ndarray, labels: np.ndarray,
                            count: int) -> np.ndarray:
  """Indices of up to `count` misclassified examples, most confident prediction first."""
  predicted = probabilities.argmax(axis=-1)
  wrong = np.flatnonzero(predicted != labels)
  confidence = probabilities[wrong, predicted[wrong]]
  return wrong[np.argsort(-confidence, kind='stable')][:count]


def headline(task: str, evaluation: Dict[str, float]) -> str:
  """The one figure that says how good a run is: 'test MSE 0.0342', 'test accuracy 0.9362';
  'val ...' for an epoch that evaluated only the validation split."""
  split = 'test' if 'test_loss' in evaluation else 'val'
  if task == 'reconstruct':
    return f'{split} MSE {float(evaluation[f"{split}_loss"]):.3g}'
  return f'{split} accuracy {float(evaluation[f"{split}_accuracy"]):.4f}'


def picture_title(config, epoch: int, evaluation: Dict[str, float]) -> str:
  """'v1 on mnist, epoch 5: test MSE 0.0342': what every picture of a run is titled."""
  return (f'{config.model.name} on {config.data.name}, epoch {epoch}: '
          f'{headline(config.task, evaluation)}')


def epoch_pictures(task: str, predict: Callable[[np.ndarray], np.ndarray],
                   shown: Dict[str, np.ndarray], evaluation: Dict[str, np.ndarray],
                   class_names, title: str = '') -> Dict[str, Picture]:
  """The pictures logged every epoch: cheap ones, from `shown` or the evaluation's sums."""
  if task == 'reconstruct':
    return {'reconstructions': plots.reconstructions_png(shown, predict(shown['image']), title)}
  return {'confusion_matrix': plots.confusion_matrix_png(evaluation['confusion'], class_names,
                                                         title)}


def final_pictures(task: str, predict: Callable[[np.ndarray], np.ndarray],
                   shown: Dict[str, np.ndarray], evaluation: Dict[str, np.ndarray],
                   predict_test_split: Callable[[], np.ndarray], test_split: Dict[str, np.ndarray],
                   class_names, title: str = '') -> Dict[str, Picture]:
  """The pictures written as files at the end of a run (besides the loss curve)."""
  pictures = epoch_pictures(task, predict, shown, evaluation, class_names, title)
  if task == 'classify':
    probabilities = np.asarray(jax.nn.softmax(predict_test_split(), axis=-1), np.float64)
    mistakes = most_confident_mistakes(probabilities, test_split['label'],
                                       NUM_MISCLASSIFIED_SHOWN)
    pictures['misclassified'] = plots.misclassified_png(
        test_split['image'][mistakes], test_split['label'][mistakes], probabilities[mistakes],
        class_names, title)
  return pictures
