"""Evaluation on the held-out splits (validation, test), on the devices in one call each.

Each split is padded to whole batches with a mask and placed on the devices once; an
evaluation then runs every batch in one jitted `lax.scan` of `steps.eval_step`
(running BatchNorm averages, no dropout, no augmentation, nothing mutable).
"""

import functools
from typing import Any, Callable, Dict, Optional

from absl import logging
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from jax_ae.models import tasks
from jax_ae.training import sharding
from jax_ae.training import steps

Batch = Dict[str, jax.Array]
Split = Dict[str, np.ndarray]


def batch_for_evaluation(split: Split, eval_batch_size: int,
                         mesh: Optional[jax.sharding.Mesh] = None) -> Batch:
  """Pads a split to whole batches: [num_batches, eval_batch_size, ...] plus a mask.

  On `mesh`, each batch is split across its devices (axis 1); else on the default device.
  """
  num_examples = split['image'].shape[0]
  num_batches = -(-num_examples // eval_batch_size)
  padding = num_batches * eval_batch_size - num_examples

  def pad_and_batch(array):
    padded = np.concatenate([array, np.zeros((padding,) + array.shape[1:], array.dtype)])
    return padded.reshape((num_batches, eval_batch_size) + array.shape[1:])

  batched = {name: pad_and_batch(array) for name, array in split.items()}
  batched['mask'] = pad_and_batch(np.ones(num_examples, np.float32))
  return jax.device_put(batched, sharding.batch_sharded(mesh, 1) if mesh is not None else None)


def split_results(state: steps.TrainState, batched_split: Batch,
                  task: tasks.Task) -> Dict[str, jax.Array]:
  """The task's results over a split from `batch_for_evaluation`, in one call.

  {'loss'} for reconstruction; {'loss', 'accuracy', 'confusion'} for classification
  (tasks.Task.split_results).
  """

  def accumulate(totals, batch):
    return jax.tree.map(jnp.add, totals, steps.eval_step(state, batch, task)), None

  first_batch = jax.tree.map(lambda array: array[0], batched_split)
  shapes = jax.eval_shape(functools.partial(steps.eval_step, task=task), state, first_batch)
  zeros = jax.tree.map(lambda shape: jnp.zeros(shape.shape, shape.dtype), shapes)
  totals, _ = jax.lax.scan(accumulate, zeros, batched_split)
  return task.split_results(totals)


def predict_batches(state: steps.TrainState, batched_split: Batch) -> jax.Array:
  """`steps.predict` over a split from `batch_for_evaluation`: [num_batches, batch, ...]."""
  return jax.lax.map(lambda batch: steps.predict(state, batch['image']), batched_split)


def weights_state(state: steps.TrainState, weights: str) -> steps.TrainState:
  """`state` with the parameters named by `weights`: 'raw' (its own) or 'ema' (their
  moving average, tasks.Task.chosen_weights)."""
  return steps.with_ema_params(state) if weights == 'ema' else state


def _named(results: Dict[str, jax.Array], split: str) -> Dict[str, jax.Array]:
  """A split's results named for it: 'test_loss', 'val_accuracy', 'test_confusion'."""
  return {f'{split}_{name}': value for name, value in results.items()}


class Evaluator:
  """The held-out splits of one run on the devices of `mesh`, and its jitted evaluation."""

  def __init__(self, config: ml_collections.ConfigDict, task: tasks.Task, test_split: Split,
               mesh: jax.sharding.Mesh, validation_split: Optional[Split] = None):
    self.num_test_examples = test_split['image'].shape[0]
    self.test_batches = batch_for_evaluation(test_split, config.eval_batch_size, mesh)
    self.validation_batches = None if validation_split is None else batch_for_evaluation(
        validation_split, config.eval_batch_size, mesh)
    self.task = task
    everywhere = sharding.replicated(mesh)
    self._evaluate = jax.jit(functools.partial(split_results, task=task),
                             out_shardings=everywhere)
    self._predict_batches = jax.jit(predict_batches, out_shardings=everywhere)
    self._predict = jax.jit(steps.predict, out_shardings=everywhere)

  @property
  def judged_on(self) -> str:
    """'val' where the run holds out a validation split, else 'test': the split its epochs
    are judged on (the loss that must stay finite, the one a jump is warned of)."""
    return 'test' if self.validation_batches is None else 'val'

  def test_results(self, state: steps.TrainState) -> Dict[str, jax.Array]:
    """The test split's results on device: 'test_loss' (, 'test_accuracy', 'test_confusion')."""
    return _named(self._evaluate(state, self.test_batches), 'test')

  def held_out_results(self, state: steps.TrainState, last_epoch: bool) -> Dict[str, Any]:
    """An epoch's held-out results on device: 'val_*' every epoch of a run with a
    validation split, whose test split is evaluated after its last epoch only, as records
    are claimed: chosen on validation, tested once. Without one, 'test_*' every epoch.
    With `optim.ema_decay`, the moving average of the parameters on the same split every
    epoch beside them, 'val_ema_*' (or 'test_ema_*'); after the last epoch of a run with a
    validation split, the test split measures whichever of the two the task's rule
    (tasks.Task.chosen_weights) prefers on validation, named in 'test_weights'.
    """
    results = {}
    if self.validation_batches is not None:
      results = _named(self._evaluate(state, self.validation_batches), 'val')
    if state.ema_params is not None:
      judged = self.test_batches if self.validation_batches is None else self.validation_batches
      results.update(_named(self._evaluate(steps.with_ema_params(state), judged),
                            f'{self.judged_on}_ema'))
    if self.validation_batches is None or last_epoch:
      tested = state
      if state.ema_params is not None and self.validation_batches is not None:
        weights, why = self.task.chosen_weights(jax.device_get(results))
        logging.info('the test split measures the %s parameters: %s',
                     'moving average of the' if weights == 'ema' else 'raw', why)
        results['test_weights'] = weights
        tested = weights_state(state, weights)
      results.update(self.test_results(tested))
    return results

  def predictor(self, state: steps.TrainState) -> Callable[[np.ndarray], np.ndarray]:
    """images -> evaluation-mode outputs on the host, with this state's parameters."""
    return lambda images: np.asarray(self._predict(state, images))

  def predict_test_split(self, state: steps.TrainState) -> np.ndarray:
    """Evaluation-mode outputs for every test example, in order: [num_test, ...]."""
    outputs = np.asarray(self._predict_batches(state, self.test_batches))
    return outputs.reshape((-1,) + outputs.shape[2:])[:self.num_test_examples]
