"""Orbax checkpoints of a run, so that an interruption loses at most `checkpoint_every_epochs`.

A checkpoint holds the TrainState's arrays (params, opt_state, batch_stats, step), the
on-device sums of the epoch in progress, and JSON metadata: the epoch it belongs to and
how many epochs were complete. The random state is a function of `config.seed` and the
epoch (train.shuffle_key), so the seed in config.json and the epoch restore it exactly.

Orbax writes each checkpoint into a temporary folder and renames it when complete, so a
process killed mid-write, or a disk that fills, leaves the previous one usable.
"""

import dataclasses
import os
import shutil
from typing import Any, Dict, Optional, Tuple

from absl import logging
import jax
from jax.experimental import multihost_utils

from jax_ae import multihost
from jax_ae.errors import ConfigError
from jax_ae.errors import UserError


@dataclasses.dataclass
class Position:
  """Where a checkpoint stands: `epoch` in progress or just completed."""

  epoch: int
  completed_epochs: int

  @property
  def mid_epoch(self) -> bool:
    return self.completed_epochs < self.epoch


def _state_arrays(state) -> Dict[str, Any]:
  return {'params': state.params, 'opt_state': state.opt_state,
          'batch_stats': state.batch_stats, 'step': state.step}


class Checkpoints:
  """The checkpoints folder of one workdir, keeping the newest `keep`."""

  def __init__(self, directory: str, keep: int):
    import orbax.checkpoint as ocp  # pylint: disable=g-import-not-at-top
    self._ocp = ocp
    self.directory = os.path.abspath(directory)
    self._keep = keep
    self._manager = self._open()

  def _open(self):
    return self._ocp.CheckpointManager(
        self.directory,
        options=self._ocp.CheckpointManagerOptions(
            max_to_keep=self._keep, create=True, enable_async_checkpointing=False))

  def latest_position(self) -> Optional[Position]:
    step = self._manager.latest_step()
    if step is None:
      return None
    meta = self._manager.restore(step, args=self._ocp.args.Composite(
        meta=self._ocp.args.JsonRestore()))['meta']
    return Position(epoch=meta['epoch'], completed_epochs=meta['completed_epochs'])

  def save(self, state, epoch_sums, position: Position) -> None:
    """Writes a checkpoint at the state's step; raises UserError if it cannot."""
    ocp = self._ocp
    step = int(jax.device_get(state.step))
    previous = self._manager.latest_step()
    if previous == step:
      if position.completed_epochs <= self.latest_position().completed_epochs:
        return  # Stopped before an epoch's first step: the epoch-end checkpoint says it all.
      self._manager.delete(step)  # The same state, now known to end a completed epoch.
    try:
      self._manager.save(step, args=ocp.args.Composite(
          state=ocp.args.StandardSave(_state_arrays(state)),
          epoch_sums=ocp.args.StandardSave(epoch_sums),
          meta=ocp.args.JsonSave(dataclasses.asdict(position))), force=True)
      self._manager.wait_until_finished()
    except Exception as error:  # pylint: disable=broad-except
      kept = f'step {previous}' if previous is not None else 'none yet'
      raise UserError(f'could not write the checkpoint of step {step} in {self.directory} '
                      f'({error}); the previous checkpoint ({kept}) is intact.') from error
    logging.info('Saved checkpoint at step %d (epoch %d).', step, position.epoch)

  def restore_latest(self, state_template, epoch_sums_template):
    """(state, epoch_sums, Position) from the newest checkpoint, or None if there is none."""
    step = self._manager.latest_step()
    if step is None:
      return None
    ocp = self._ocp
    try:
      restored = self._manager.restore(step, args=ocp.args.Composite(
          state=ocp.args.StandardRestore(_state_arrays(state_template)),
          epoch_sums=ocp.args.StandardRestore(epoch_sums_template),
          meta=ocp.args.JsonRestore()))
    except ValueError as error:  # Orbax's message for a tree of other shapes or names
      # config.json normally refuses another config first; this is a workdir whose
      # config.json was removed or a checkpoints folder copied in from another run.
      raise ConfigError(f'the checkpoint of step {step} in {self.directory} holds another '
                        f'model or optimizer than this config builds; use a new --workdir, '
                        f'or --config.restart=True to replace that run.') from error
    state = state_template.replace(**restored['state'])
    meta = restored['meta']
    return state, restored['epoch_sums'], Position(meta['epoch'], meta['completed_epochs'])

  def delete_all(self) -> None:
    self._manager.close()
    if multihost.is_primary():
      shutil.rmtree(self.directory, ignore_errors=True)
    if jax.process_count() > 1:
      multihost_utils.sync_global_devices('checkpoints deleted')
    self._manager = self._open()

  def close(self) -> None:
    self._manager.close()

  def resume(self, state, epoch_sums, num_epochs: int) -> Tuple[Any, int, Optional[Any]]:
    """Where a run of `num_epochs` goes on: (state, first epoch to run, its sums so far).

    From the newest checkpoint when there is one: a mid-epoch checkpoint resumes its
    epoch at the step it saved (sums included), an epoch-end one starts the next
    epoch. Without one: the given fresh `state`, epoch 1, no sums.
    """
    restored = self.restore_latest(state, epoch_sums)
    if restored is None:
      return state, 1, None
    state, saved_sums, position = restored
    logging.info('Resuming from the checkpoint at step %d (epoch %d, %d complete).',
                 int(state.step), position.epoch, position.completed_epochs)
    if position.completed_epochs > num_epochs:
      raise ConfigError(f'num_epochs {num_epochs} is below the {position.completed_epochs} '
                        f'epochs this workdir already trained; raise it or use a new --workdir.')
    if position.mid_epoch:
      return state, position.epoch, saved_sums
    return state, position.completed_epochs + 1, None
