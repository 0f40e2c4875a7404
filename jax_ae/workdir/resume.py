"""Where a workdir's run goes on: the resume policy over checkpoint.py.

A run resumes from the newest readable checkpoint; whether it may (its config.json
agrees on every field that makes it the same run) is config_checks.check_same_run's
rule, asked before anything is touched. The shuffle of an epoch is a function of the
seed and the epoch only (steps.shuffle_key), so a resumed run sees the same batches in
the same order.
"""

from typing import Any, Optional, Tuple

from absl import logging

from jax_ae.workdir import checkpoint


def resume(checkpoints: checkpoint.Checkpoints, state,
           epoch_sums) -> Tuple[Any, int, Optional[Any]]:
  """Where a run goes on: (state, first epoch to run, its sums so far).

  From the newest checkpoint when there is one: a mid-epoch checkpoint resumes its
  epoch at the step it saved (sums included), an epoch-end one starts the next
  epoch. Without one: the given fresh `state`, epoch 1, no sums.
  """
  restored = checkpoints.restore_latest(state, epoch_sums)
  if restored is None:
    return state, 1, None
  state, saved_sums, position = restored
  logging.info('Resuming from the checkpoint at step %d (epoch %d, %d complete).',
               int(state.step), position.epoch, position.completed_epochs)
  if position.mid_epoch:
    return state, position.epoch, saved_sums
  return state, position.completed_epochs + 1, None
