"""Orbax checkpoints of a run, so that an interruption loses at most `checkpoint_every_epochs`.

A checkpoint holds the TrainState's arrays (params, opt_state, batch_stats, step), the
on-device sums of the epoch in progress, and JSON metadata: the epoch it belongs to and
how many epochs were complete. The random state is a function of `config.seed` and the
epoch (steps.shuffle_key), so the seed in config.json and the epoch restore it exactly.
Which checkpoint a run goes on from, and whether it may, is resume.py's.

Orbax writes each checkpoint into a temporary folder and renames it when complete, so a
process killed mid-write, or a disk that fills, leaves the previous one usable.

Each checkpoint's metadata also holds a sha256 `digest` of every array it saved (and of
its position). Orbax and TensorStore read some damage without complaint (a flipped
byte, a block of garbage in a data file): the digest of what came back is compared
with the saved one, and a mismatch is damage like a file that cannot be read.
docs/reliability.md has what the digest costs.
"""

import contextlib
import dataclasses
import gc
import hashlib
import json
import logging as std_logging
import os
import re
import shutil
import sys
from typing import Any, Dict, Optional, Tuple

from absl import logging
from etils import epath
import jax
import jax.numpy as jnp
from jax.experimental import multihost_utils
import numpy as np

from jax_ae import errors
from jax_ae.errors import ConfigError
from jax_ae.errors import Diverged
from jax_ae.errors import Resumable
from jax_ae.errors import UserError
from jax_ae.runtime import multihost


@dataclasses.dataclass
class Position:
  """Where a checkpoint stands: `epoch` in progress or just completed."""

  epoch: int
  completed_epochs: int

  @property
  def mid_epoch(self) -> bool:
    return self.completed_epochs < self.epoch


def _shapes_by_path(tree) -> Dict[Tuple[str, ...], Tuple[int, ...]]:
  """{path: shape} of a tree's arrays, each path spelled as Orbax's `_METADATA` spells it."""
  def name(key):
    for attribute in ('key', 'idx', 'name'):
      if hasattr(key, attribute):
        return str(getattr(key, attribute))
    return str(key)
  leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
  return {tuple(map(name, path)): tuple(leaf.shape) for path, leaf in leaves
          if hasattr(leaf, 'shape')}


class DamagedCheckpoint(Exception):
  """A checkpoint that read, but whose arrays are not those that were saved."""


def digest(tree, position: 'Position') -> str:
  """sha256 of every array of `tree` (dtype, shape and bytes, in tree order) and `position`."""
  hasher = hashlib.sha256(repr(dataclasses.astuple(position)).encode())
  for leaf in jax.tree.leaves(jax.device_get(tree)):
    array = np.ascontiguousarray(leaf)
    hasher.update(f'{array.dtype}{array.shape}'.encode())
    hasher.update(array.tobytes())
  return hasher.hexdigest()


@jax.jit
def all_finite(tree) -> jax.Array:
  """Whether every float in `tree` is finite, as one device scalar (one small copy back).

  A step's loss and gradient can be finite and its update still overflow: checked
  before a checkpoint or the final model is written.
  """
  floats = [leaf for leaf in jax.tree.leaves(tree) if jnp.issubdtype(leaf.dtype, jnp.inexact)]
  return jnp.all(jnp.stack([jnp.all(jnp.isfinite(leaf)) for leaf in floats])) if floats \
      else jnp.array(True)


def _state_arrays(state) -> Dict[str, Any]:
  arrays = {'params': state.params, 'opt_state': state.opt_state,
            'batch_stats': state.batch_stats, 'step': state.step}
  if state.ema_params is not None:  # optim.ema_decay > 0: else the checkpoint of before
    arrays['ema_params'] = state.ema_params
  return arrays


def _first_sentence(error: Exception) -> str:
  """The start of an error's message: Orbax's and TensorStore's run to many lines."""
  return re.split(r'(?<=\.) ', errors.first_line(error))[0]


def _is_orbax_thread_error(record: std_logging.LogRecord) -> bool:
  return record.levelno >= std_logging.ERROR and record.pathname.endswith(
      os.path.join('orbax', 'checkpoint', '_src', 'futures', 'future.py'))


@contextlib.contextmanager
def _quiet_failed_writes():
  """Inside: a failed write (a full disk) stays the one line main.py prints, unless --verbosity=1.

  Orbax's writer threads log the failure with a traceback before save() raises it, and
  TensorStore's callbacks for the writes still in flight then land on Orbax's closed
  event loop, each printing a 'RuntimeError: Event loop is closed' traceback. After a
  call that succeeded, the garbage collector runs and the hook and filter are removed.
  After one that failed, writes abandoned in flight can still land at any later moment
  (seen as main.py printed the error), so the hook stays: it drops only those
  RuntimeErrors, and the failure ends the run (errors.Resumable).
  """
  previous_hook = sys.unraisablehook

  def hook(unraisable):
    closed_loop = (isinstance(unraisable.exc_value, RuntimeError)
                   and str(unraisable.exc_value) == 'Event loop is closed')
    if not closed_loop or logging.get_verbosity() >= logging.DEBUG:
      previous_hook(unraisable)

  def keep(record: std_logging.LogRecord) -> bool:
    return logging.get_verbosity() >= logging.DEBUG or not _is_orbax_thread_error(record)

  absl_logger = std_logging.getLogger('absl')
  sys.unraisablehook = hook
  absl_logger.addFilter(keep)
  try:
    yield
  except BaseException:
    gc.collect()
    raise
  gc.collect()
  absl_logger.removeFilter(keep)
  if sys.unraisablehook is hook:
    sys.unraisablehook = previous_hook


class Checkpoints:
  """The checkpoints folder of one workdir, keeping the newest `keep`."""

  def __init__(self, directory: str, keep: int):
    import orbax.checkpoint as ocp  # pylint: disable=g-import-not-at-top
    self._ocp = ocp
    self.directory = os.path.abspath(directory)
    self._keep = keep
    self._manager = None
    # Orbax finishes every checkpoint with this file; a step folder without it (left
    # empty, or made by hand) makes Orbax warn on opening and fail on reading.
    self._damaged = [int(name) for name in sorted(os.listdir(self.directory))
                     if name.isdigit() and not os.path.isfile(
                         os.path.join(self.directory, name, '_CHECKPOINT_METADATA'))
                     ] if os.path.isdir(self.directory) else []
    for step in self._damaged:
      self._warn_damaged(step, 'no _CHECKPOINT_METADATA: an empty or unfinished step folder')
    self._move_aside(self._damaged)

  def _open(self):
    return self._ocp.CheckpointManager(
        self.directory,
        options=self._ocp.CheckpointManagerOptions(
            max_to_keep=self._keep, create=True, enable_async_checkpointing=False))

  def latest_position(self) -> Optional[Position]:
    """The Position of the newest checkpoint whose metadata reads, or None if there is none."""
    for step in self._steps_newest_first():
      try:
        return self._read_position(step)
      except Exception:  # pylint: disable=broad-except
        continue  # damaged: restore_latest names it and moves it aside
    return None

  def _steps_newest_first(self):
    return sorted(self._manager.all_steps(), reverse=True)

  def _read_position(self, step: int) -> Position:
    meta = self._manager.restore(step, args=self._ocp.args.Composite(
        meta=self._ocp.args.JsonRestore()))['meta']
    return Position(epoch=int(meta['epoch']), completed_epochs=int(meta['completed_epochs']))

  def last_good_epoch(self) -> Optional[int]:
    """The epochs complete in the newest readable checkpoint (None without one): where a
    run that diverged goes on from."""
    position = self.latest_position()
    return None if position is None else position.completed_epochs

  def save(self, state, epoch_sums, position: Position) -> None:
    """Writes a checkpoint at the state's step; raises Resumable if it cannot.

    Raises Diverged, writing nothing, if a parameter, Adam moment or BatchNorm
    statistic is not finite (all_finite): such a checkpoint would pass for the
    last good one.
    """
    ocp = self._ocp
    step = int(jax.device_get(state.step))
    if not bool(jax.device_get(all_finite(_state_arrays(state)))):
      raise Diverged(f'the parameters became non-finite at epoch {position.epoch} (step {step})',
                     self.last_good_epoch())
    previous = self._manager.latest_step()
    if previous == step:
      if position.completed_epochs <= self.latest_position().completed_epochs:
        return  # Stopped before an epoch's first step: the epoch-end checkpoint says it all.
      self._manager.delete(step)  # The same state, now known to end a completed epoch.
    try:
      arrays = {'state': _state_arrays(state), 'epoch_sums': epoch_sums}
      meta = {**dataclasses.asdict(position), 'digest': digest(arrays, position)}
      with _quiet_failed_writes():
        self._manager.save(step, args=ocp.args.Composite(
            state=ocp.args.StandardSave(arrays['state']),
            epoch_sums=ocp.args.StandardSave(epoch_sums),
            meta=ocp.args.JsonSave(meta)), force=True)
        self._manager.wait_until_finished()
    except Exception as error:  # pylint: disable=broad-except
      if multihost.is_primary():  # the half-written step would keep the disk full
        for name in os.listdir(self.directory):
          if name.startswith(f'{step}.orbax-checkpoint-tmp'):
            shutil.rmtree(os.path.join(self.directory, name), ignore_errors=True)
      kept = f'step {previous}' if previous is not None else 'none yet'
      no_space = 'No space left on device' in str(error)
      reason = 'no space left on device' if no_space else _first_sentence(error)
      raise Resumable(f'could not write the checkpoint of step {step} in {self.directory} '
                      f'({reason}); the previous checkpoint ({kept}) is intact; free some '
                      f'space{"" if no_space else " or fix the cause"}') from error
    logging.info('Saved checkpoint at step %d (epoch %d).', step, position.epoch)

  def restore_latest(self, state_template, epoch_sums_template):
    """(state, epoch_sums, Position) from the newest readable checkpoint, or None if there is none.

    A checkpoint that cannot be read (a truncated or garbled file, an empty step
    folder) is named in a warning, moved aside to `{step}.damaged`, and the next older
    one is tried; raises UserError when there are checkpoints and none can be read, and
    ConfigError when one holds arrays of other names or shapes than the templates.
    Sums saved before one of the template's names existed come back without it
    (train_loops.completed_sums fills it in).
    """
    damaged, restored = [], None
    state_arrays = _state_arrays(state_template)
    for step in self._steps_newest_first():
      try:
        restored = self._restore(step, state_arrays, epoch_sums_template)
        break
      except ConfigError:
        raise
      except Exception as error:  # pylint: disable=broad-except
        self._warn_damaged(step, _first_sentence(error))
        damaged.append(step)
    self._move_aside(damaged)
    self._damaged += damaged
    if restored is None and self._damaged:
      raise UserError(f'no checkpoint in {self.directory} can be read (steps '
                      f'{", ".join(map(str, sorted(self._damaged)))} are damaged, kept as '
                      f'STEP.damaged); run again with --config.restart=True to train from '
                      f'scratch.')
    if restored is None:
      return None
    state, epoch_sums, position = restored
    return state_template.replace(**state), epoch_sums, position

  def _restore(self, step: int, state_arrays, epoch_sums_template):
    ocp = self._ocp
    stored = {item: self._read_arrays(epath.Path(self.directory) / str(step) / item)
              for item in ('state', 'epoch_sums')}
    # Sums saved before one of the template's names existed come back without it.
    templates = {'state': state_arrays,
                 'epoch_sums': {name: value for name, value in epoch_sums_template.items()
                                if (name,) in stored['epoch_sums']}}
    for item, template in templates.items():
      if stored[item] != _shapes_by_path(template):
        # config.json normally refuses another config first; this is a workdir whose
        # config.json was removed or a checkpoints folder copied in from another run.
        raise ConfigError(f'the checkpoint of step {step} in {self.directory} holds '
                          f'another model or optimizer than this config builds; use a '
                          f'new --workdir, or --config.restart=True to replace that run.')
    restored = self._manager.restore(step, args=ocp.args.Composite(
        state=ocp.args.StandardRestore(templates['state']),
        epoch_sums=ocp.args.StandardRestore(templates['epoch_sums']),
        meta=ocp.args.JsonRestore()))
    meta = restored['meta']
    position = Position(epoch=int(meta['epoch']), completed_epochs=int(meta['completed_epochs']))
    arrays = {'state': restored['state'], 'epoch_sums': restored['epoch_sums']}
    # Checkpoints written before digests existed have none: they load unchecked.
    if 'digest' in meta and digest(arrays, position) != meta['digest']:
      raise DamagedCheckpoint('its arrays do not match the digest saved with them')
    return restored['state'], restored['epoch_sums'], position

  def _read_arrays(self, directory: epath.Path) -> Dict[Tuple[str, ...], Tuple[int, ...]]:
    """{path: shape} of the arrays Orbax saved in `directory`, each read whole once, in turn.

    Raises at the first array that cannot be read. Orbax reads a step's arrays, and
    opens them for its metadata, concurrently on an event loop that it makes for the
    call and closes after it: when one read fails it raises at once and leaves the
    others on the closed loop, where each reports itself later, when it ends or the
    garbage collector reaches it ('Event loop is closed', 'Task exception was never
    retrieved', 'Exception ignored in'), wherever the program is by then. Read here
    with TensorStore, one at a time and each waited for, a damaged step fails with
    nothing left in flight, and Orbax is given only steps whose every array has read.
    """
    import tensorstore as ts  # pylint: disable=g-import-not-at-top
    type_handlers = self._ocp.type_handlers
    # Orbax's record of the tree it saved: each leaf's keys, and how the arrays are stored.
    saved = json.loads((directory / '_METADATA').read_text())
    use_ocdbt = saved.get('use_ocdbt')
    if use_ocdbt is None:
      use_ocdbt = type_handlers.is_ocdbt_checkpoint(directory)
    context = type_handlers.get_ts_context(use_ocdbt=use_ocdbt)
    shapes = {}
    for leaf in saved['tree_metadata'].values():
      if leaf['value_metadata']['skip_deserialize']:
        continue  # an empty node (None, {}, optax.EmptyState): nothing stored
      path = tuple(str(key['key']) for key in leaf['key_metadata'])
      info = type_handlers.ParamInfo(
          name='.'.join(path), parent_dir=directory, is_ocdbt_checkpoint=use_ocdbt,
          use_zarr3=bool(saved.get('use_zarr3')), ts_context=context)
      spec = type_handlers.get_json_tspec_read(
          info, use_ocdbt=use_ocdbt, raise_array_data_missing_error=bool(
              saved.get('store_array_data_equal_to_fill_value')))
      array = ts.open(spec, context=context).result()
      array.read().result()
      shapes[path] = tuple(array.shape)
    return shapes

  def _warn_damaged(self, step: int, reason: str) -> None:
    logging.warning('The checkpoint of step %d in %s cannot be read (%s); moved aside to '
                    '%d.damaged, trying the next older one.', step, self.directory, reason, step)

  def _move_aside(self, steps) -> None:
    """Renames damaged step folders to `{step}.damaged` and (re)opens the manager.

    Orbax ignores such names, a later save of the same step does not collide, and the
    files stay for whoever wants to look.
    """
    if self._manager is not None and not steps:
      return
    if multihost.is_primary():
      for step in steps:
        path = os.path.join(self.directory, str(step))
        aside = f'{path}.damaged'
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(path, aside)
    if jax.process_count() > 1:
      multihost_utils.sync_global_devices('damaged checkpoints moved aside')
    if self._manager is not None:
      self._manager.close()
    self._manager = self._open()

  def delete_all(self) -> None:
    self._manager.close()
    if multihost.is_primary():
      shutil.rmtree(self.directory, ignore_errors=True)
    if jax.process_count() > 1:
      multihost_utils.sync_global_devices('checkpoints deleted')
    self._manager = self._open()

  def close(self) -> None:
    self._manager.close()
