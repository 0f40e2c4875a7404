"""Which pictures a training run draws, by task: every epoch, and at its end.

An autoencoder shows test images above their reconstructions; a classifier its
confusion matrix and, at the end, the test images it misclassified most confidently.
plots.py draws them; models/tasks.py says what a task measures and draws nothing.
"""

from typing import Any, Callable, Dict

import jax
import ml_collections
import numpy as np

from jax_ae.figures import plots
from jax_ae.figures.plots import Picture
from jax_ae.models import tasks

NUM_MISCLASSIFIED_SHOWN = 16
Predict = Callable[[np.ndarray], np.ndarray]  # images -> evaluation-mode outputs


def title(config: ml_collections.ConfigDict, when: str, figures: str) -> str:
  """'v1 on mnist, epoch 5: test MSE 0.0342': what every picture of a run is titled.

  `when`: 'epoch 5' or 'step 300'; `figures`: the headline figures at that point.
  """
  return f'{config.model.name} on {config.data.name}, {when}: {figures}'


def most_confident_mistakes(probabilities: np.ndarray, labels: np.ndarray,
                            count: int) -> np.ndarray:
  """Indices of up to `count` misclassified examples, most confident prediction first."""
  predicted = probabilities.argmax(axis=-1)
  wrong = np.flatnonzero(predicted != labels)
  confidence = probabilities[wrong, predicted[wrong]]
  return wrong[np.argsort(-confidence, kind='stable')][:count]


def epoch_pictures(task: tasks.Task, predict: Predict, shown: Dict[str, np.ndarray],
                   evaluation: Dict[str, Any], class_names, title: str) -> Dict[str, Picture]:
  """The pictures logged every epoch: cheap ones, from `shown` or the evaluation."""
  if task is tasks.CLASSIFY:
    # The test split's where it was evaluated, else the validation split's.
    confusion = evaluation[f'{tasks.split_evaluated(evaluation)}_confusion']
    return {'confusion_matrix': plots.confusion_matrix_png(confusion, class_names, title)}
  return {'reconstructions': plots.reconstructions_png(shown, predict(shown['image']), title)}


def final_pictures(task: tasks.Task, predict: Predict, shown: Dict[str, np.ndarray],
                   evaluation: Dict[str, Any], predict_test_split: Callable[[], np.ndarray],
                   test_split: Dict[str, np.ndarray], class_names,
                   title: str) -> Dict[str, Picture]:
  """The pictures written as files at the end of a run (besides the loss curve): the
  epoch's, and a classifier's most confident mistakes on the test split."""
  pictures = epoch_pictures(task, predict, shown, evaluation, class_names, title)
  if task is tasks.CLASSIFY:
    probabilities = np.asarray(jax.nn.softmax(predict_test_split(), axis=-1), np.float64)
    mistakes = most_confident_mistakes(probabilities, test_split['label'],
                                       NUM_MISCLASSIFIED_SHOWN)
    pictures['misclassified'] = plots.misclassified_png(
        test_split['image'][mistakes], test_split['label'][mistakes], probabilities[mistakes],
        class_names, title)
  return pictures
