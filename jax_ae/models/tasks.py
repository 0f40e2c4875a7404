"""What a run learns (`config.task`), as one object per task: the metrics it reports.

The metrics are what a run reports, its plain loss first; losses.py builds from them,
and from the config, the scalar a train step minimises.

RECONSTRUCT: the autoencoders. Loss: mean squared error per pixel of each image.
CLASSIFY: the CNN classifier. Loss: softmax cross-entropy; metric: accuracy.
The pictures each task's runs draw are figures/run_pictures.py's.

The steps, the epoch loop and the checkpoints ask the run's Task and never branch on
which one it is; `get(config.task)` is the one place a name becomes a Task.
"""

from typing import Any, Dict, List, Optional, Tuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jax_ae.models.networks import NUM_CLASSES



def reconstruction_loss(reconstructions: jax.Array, images: jax.Array) -> jax.Array:
  """Mean squared error per pixel of each example: [batch, 784] x2 -> [batch]."""
  return jnp.mean(jnp.square(reconstructions - images), axis=-1)


class Task:
  """One kind of learning. Hashable by identity: the jitted steps take it as a constant."""

  name: str
  loss_description: str  # the loss curve's axis
  metric_names: Tuple[str, ...]  # of per_example_metrics, 'loss' first
  reproduces_input: bool  # the target is the (augmented) input image itself
  # The validation figures that choose between the raw parameters and their moving
  # average (optim.ema_decay), most important first: (metric name, +1 where higher is
  # better, -1 where lower is).
  selection: Tuple[Tuple[str, int], ...]

  def per_example_metrics(self, outputs: jax.Array, batch) -> Dict[str, jax.Array]:
    """{name: [batch]} for `metric_names`, from the model's outputs on the batch.

    outputs: reconstructions [batch, 784] or logits [batch, 10].
    """
    raise NotImplementedError

  def evaluation_sums(self, outputs: jax.Array, batch) -> Dict[str, jax.Array]:
    """Sums over the batch's real examples (`mask` 0 on padding), added up over a split."""
    mask = batch['mask']
    sums = {f'{name}_sum': jnp.sum(values * mask)
            for name, values in self.per_example_metrics(outputs, batch).items()}
    sums['count'] = jnp.sum(mask)
    return sums

  def split_results(self, totals: Dict[str, jax.Array]) -> Dict[str, jax.Array]:
    """A split's results from its summed `evaluation_sums`: the mean of each metric."""
    return {name: totals[f'{name}_sum'] / totals['count'] for name in self.metric_names}

  def headline(self, evaluation: Dict[str, Any]) -> str:
    """The one figure that says how good a run is: 'test MSE 0.0342'; 'val ...' for an
    epoch that evaluated only the validation split."""
    raise NotImplementedError

  def chosen_weights(self, evaluation: Dict[str, Any]) -> Tuple[str, str]:
    """('raw' or 'ema', why): the parameters whose validation figures (`val_*` against
    `val_ema_*` in `evaluation`, host values) are better by `selection`; the raw ones on a
    tie or where either is missing. The one rule that picks what a run's test split
    measures, after training and in --mode=evaluate: chosen on validation, tested once.
    """
    try:
      raw, ema = (tuple(sign * float(evaluation[f'{prefix}{name}'])
                        for name, sign in self.selection) for prefix in ('val_', 'val_ema_'))
    except (KeyError, TypeError):
      return 'raw', 'no validation figures of both to choose on'
    if np.isnan(raw + ema).any():
      return 'raw', 'a validation figure is NaN'
    name, sign = self.selection[0]
    ema_figure, raw_figure = sign * ema[0], sign * raw[0]
    if ema > raw:
      return 'ema', f'val_ema_{name} {ema_figure:.5g} against val_{name} {raw_figure:.5g}'
    return 'raw', f'val_{name} {raw_figure:.5g} against val_ema_{name} {ema_figure:.5g}'

  def per_class(self, evaluation: Dict[str, Any], class_names) -> Optional[List[Dict[str, Any]]]:
    """The test split's figures per class, written as per_class.json at the end of a
    run; None where the task has none (an autoencoder's are --mode=evaluate's)."""
    del evaluation, class_names
    return None


def split_evaluated(evaluation: Dict[str, Any]) -> str:
  """'test' where `evaluation` holds the test split's figures, else 'val'."""
  return 'test' if 'test_loss' in evaluation else 'val'


class _Reconstruct(Task):
  name = 'reconstruct'
  loss_description = 'mean squared error per pixel'
  metric_names = ('loss',)
  reproduces_input = True
  selection = (('loss', -1),)

  def per_example_metrics(self, outputs, batch):
    return {'loss': reconstruction_loss(outputs, batch['image'])}

  def headline(self, evaluation):
    split = split_evaluated(evaluation)
    return f'{split} MSE {float(evaluation[f"{split}_loss"]):.3g}'

def confusion_counts(logits: jax.Array, labels: jax.Array, mask: jax.Array) -> jax.Array:
  """[10, 10] counts of (true class, predicted class) over the batch's real examples."""
  true = jax.nn.one_hot(labels, NUM_CLASSES) * mask[:, None]
  predicted = jax.nn.one_hot(jnp.argmax(logits, axis=-1), NUM_CLASSES)
  return true.T @ predicted


class _Classify(Task):
  """Besides its metrics, a split's results hold 'confusion': [10, 10] counts of (true
  class, predicted class), which the pictures draw and the metrics rows leave out."""

  name = 'classify'
  loss_description = 'softmax cross-entropy'
  metric_names = ('loss', 'accuracy')
  reproduces_input = False
  selection = (('accuracy', 1), ('loss', -1))  # a record's figure first; ties by loss

  def per_example_metrics(self, outputs, batch):
    return {
        'loss': optax.softmax_cross_entropy_with_integer_labels(outputs, batch['label']),
        'accuracy': (jnp.argmax(outputs, axis=-1) == batch['label']).astype(jnp.float32),
    }

  def evaluation_sums(self, outputs, batch):
    return {**super().evaluation_sums(outputs, batch),
            'confusion': confusion_counts(outputs, batch['label'], batch['mask'])}

  def split_results(self, totals):
    return {**super().split_results(totals), 'confusion': totals['confusion']}

  def headline(self, evaluation):
    split = split_evaluated(evaluation)
    return f'{split} accuracy {float(evaluation[f"{split}_accuracy"]):.4f}'

  def per_class(self, evaluation, class_names):
    if 'test_confusion' not in evaluation:
      return None
    confusion = np.asarray(evaluation['test_confusion'], np.float64)
    counts = confusion.sum(axis=1)
    return [{'class': name, 'count': int(count),
             'accuracy': float(confusion[index, index] / count) if count else None}
            for index, (name, count) in enumerate(zip(class_names, counts))]


RECONSTRUCT = _Reconstruct()
CLASSIFY = _Classify()
TASKS = {task.name: task for task in (RECONSTRUCT, CLASSIFY)}


def get(name: str) -> Task:
  """The Task called `name` (config.task), which config_checks has checked."""
  return TASKS[name]
