"""Everything a run leaves in its workdir, written so that finished work is never lost.

config.json        the resolved config
metrics.jsonl      one JSON object per finished epoch, appended and flushed each epoch
events.out.tfevents.*  the same scalars and the epoch's picture, for TensorBoard
loss_curve.png     train and test loss (and accuracy) per epoch
reconstructions.png            autoencoders: test images and their reconstructions
confusion_matrix.png, misclassified.png   classifiers (tasks.py chooses the pictures)
model.msgpack      final params and batch_stats (flax.serialization), for evaluation
checkpoints/       Orbax checkpoints to resume from (checkpoint.py)
"""

import json
import math
import os
import sys
import time
import types
from typing import Any, Dict, List

from absl import logging
import flax
import jax
import ml_collections
import numpy as np

from jax_ae.errors import ConfigError
from jax_ae.errors import NonFiniteLossError
from jax_ae.errors import UserError
from jax_ae import plots
from jax_ae.plots import Picture

CONFIG_FILE = 'config.json'
METRICS_FILE = 'metrics.jsonl'
DIAGNOSTICS_FILE = 'diagnostics.jsonl'  # config.diagnostics.every_steps > 0 only
MODEL_FILE = 'model.msgpack'
# Every picture a run may leave, named `{name}.png` (tasks.py and train.py choose them).
PICTURES = ('loss_curve', 'reconstructions', 'confusion_matrix', 'misclassified', 'diagnostics')
CHECKPOINTS_DIR = 'checkpoints'
# Fields a resumed run may change: they extend training, move the data, change what is
# logged or how fast the same steps run, or (learning rate, clipping) let a run that
# diverged go on from its last good checkpoint. Any other difference would make the
# checkpoint a different run.
RESUMABLE_FIELDS = ('num_epochs', 'checkpoint_every_epochs', 'keep_checkpoints', 'restart',
                    'num_reconstructions', 'eval_batch_size', 'data.manual_dir',
                    'data.tfds_data_dir', 'optim.learning_rate', 'optim.clip_norm',
                    'train.loop', 'train.steps_per_call', 'bench.batch_sizes',
                    'bench.repetitions', 'evaluate.classifier_workdir', 'evaluate.cache_dir',
                    'diagnostics.every_steps')


def _flatten(tree: Dict[str, Any], prefix: str = '') -> Dict[str, Any]:
  flat = {}
  for name, value in tree.items():
    if isinstance(value, dict):
      flat.update(_flatten(value, f'{prefix}{name}.'))
    else:
      flat[f'{prefix}{name}'] = value
  return flat


def write_atomically(path: str, content: bytes) -> None:
  """Writes via a temporary file and a rename, so `path` is never half written.

  A write that fails (a full disk) removes its temporary file and raises.
  """
  temporary_path = path + '.tmp'
  try:
    with open(temporary_path, 'wb') as f:
      f.write(content)
      f.flush()
      os.fsync(f.fileno())
    os.replace(temporary_path, path)
  except BaseException:
    if os.path.exists(temporary_path):
      os.remove(temporary_path)
    raise


def _json_line(row: Dict[str, Any]) -> str:
  """One strict-JSON line: a non-finite float (a diverged loss) is written as null."""
  finite_or_none = {name: None if isinstance(value, float) and not math.isfinite(value)
                    else value for name, value in row.items()}
  return json.dumps(finite_or_none, allow_nan=False) + '\n'


class _TensorBoardWriter:
  """Scalars and PNG images as TensorBoard events, without importing TensorFlow."""

  def __init__(self, logdir: str):
    # tensorboard reaches files through `tensorboard.compat.tf`, which imports all of
    # TensorFlow when it is installed (tfds needs it): 3-10 s of every run's start, for
    # a file write. A module named tensorboard.compat.notf is tensorboard's own switch
    # to its TensorFlow-free stub (local files); it changes nothing else.
    sys.modules.setdefault('tensorboard.compat.notf', types.ModuleType('tensorboard.compat.notf'))
    try:
      # pylint: disable=g-import-not-at-top
      from tensorboard.compat.proto import summary_pb2
      from tensorboard.compat.proto import event_pb2
      from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError:
      logging.warning('tensorboard is not installed: no TensorBoard events are written.')
      self._writer = None
      return
    self._summary_pb2, self._event_pb2 = summary_pb2, event_pb2
    self._writer = EventFileWriter(logdir)

  def purge_from(self, step: int) -> None:
    """Tells TensorBoard to drop this run's events from `step` on: they are being redone.

    A SessionLog START event, as `torch.utils.tensorboard`'s `purge_step` writes: the
    Python loader (`--load_fast=false`, EventAccumulator) discards the earlier events
    at or after its step. RustBoard, the default loader, needs no marker: a point at
    step s already replaces its series' points at steps >= s.
    """
    if self._writer is None:
      return
    self._writer.add_event(self._event_pb2.Event(
        step=step, wall_time=time.time(),
        session_log=self._event_pb2.SessionLog(status=self._event_pb2.SessionLog.START)))
    self._writer.flush()

  def write(self, step: int, scalars: Dict[str, float], images: Dict[str, Picture]) -> None:
    if self._writer is None:
      return
    summary_pb2 = self._summary_pb2
    values = [summary_pb2.Summary.Value(tag=name, simple_value=value)
              for name, value in scalars.items()]
    for name, picture in images.items():
      image = summary_pb2.Summary.Image(height=picture.height, width=picture.width,
                                        colorspace=4, encoded_image_string=picture.png)
      values.append(summary_pb2.Summary.Value(tag=name, image=image))
    self._writer.add_event(self._event_pb2.Event(
        step=step, wall_time=time.time(), summary=summary_pb2.Summary(value=values)))
    self._writer.flush()


class RunFiles:
  """The workdir of one run, new or to be resumed.

  In a multi-process run every process reads it, and only `writes` (process 0, see
  multihost.py) changes it: the others' write methods do nothing.
  """

  def __init__(self, workdir: str, writes: bool = True):
    self.workdir = workdir
    self.writes = writes
    self.metrics_path = os.path.join(workdir, METRICS_FILE)
    if not writes:
      return
    try:
      os.makedirs(workdir, exist_ok=True)
    except OSError as error:
      raise UserError(f'cannot create workdir {workdir!r}: {error.strerror}.') from error
    if not os.access(workdir, os.W_OK):
      raise UserError(f'workdir {workdir!r} is not writable; choose another --workdir.')
    self._tensorboard = None

  def path(self, name: str) -> str:
    return os.path.join(self.workdir, name)

  def check_can_resume(self, config: ml_collections.ConfigDict) -> None:
    """Refuses a workdir whose run was configured differently, listing the fields."""
    config_path = self.path(CONFIG_FILE)
    if not os.path.exists(config_path):
      return
    with open(config_path) as f:
      previous = _flatten(json.load(f))
    current = _flatten(json.loads(config.to_json()))
    # A field the earlier run's config.json lacks was added to jax-ae since; that run
    # used what is now its default, and a run that changed it would differ elsewhere too
    # (model.name, task), so only fields both configs have are compared.
    differing = [f'{name} ({previous.get(name)!r} -> {current.get(name)!r})'
                 for name in sorted(set(previous) & set(current))
                 if name not in RESUMABLE_FIELDS and previous.get(name) != current.get(name)]
    if differing:
      raise ConfigError(f'workdir {self.workdir!r} holds a run with another config: '
                        f'{", ".join(differing)}; use a new --workdir, or '
                        f'--config.restart=True to replace that run.')

  def delete_previous_run(self) -> None:
    """Removes what an earlier run left, for --config.restart=True."""
    if not self.writes:
      return
    for name in os.listdir(self.workdir):
      if name in (CONFIG_FILE, METRICS_FILE, DIAGNOSTICS_FILE, MODEL_FILE) \
          or name in {f'{picture}.png' for picture in PICTURES} \
          or name.startswith('events.out.tfevents'):
        os.remove(self.path(name))

  def truncate_metrics(self, completed_epochs: int) -> None:
    """Keeps the metrics of the first `completed_epochs` epochs: a resumed run redoes the rest."""
    if not self.writes or not os.path.exists(self.metrics_path):
      return
    rows = self.read_metrics()
    kept_rows = [row for row in rows if row['epoch'] <= completed_epochs]
    kept = ''.join(_json_line(row) for row in kept_rows)
    with open(self.metrics_path) as f:
      unchanged = f.read() == kept  # also False for a line cut short, or a duplicate row
    if not unchanged:
      write_atomically(self.metrics_path, kept.encode())
    if len(kept_rows) < len(rows):  # TensorBoard has them too: purge them there, now,
      # so that a resumed run stopped before its first epoch ends leaves no duplicates.
      self._tensorboard_writer().purge_from((kept_rows[-1]['step'] if kept_rows else 0) + 1)

  def write_config(self, config: ml_collections.ConfigDict) -> None:
    if not self.writes:
      return
    write_atomically(self.path(CONFIG_FILE), config.to_json(indent=2).encode())

  def write_epoch(self, metrics: Dict[str, float], pictures: Dict[str, Picture]) -> None:
    """Appends the epoch's metrics and sends them, with the pictures, to TensorBoard."""
    if not self.writes:
      return
    _append_rows(self.metrics_path, [metrics])
    scalars = {name: value for name, value in metrics.items()
               if name not in ('epoch', 'step') and isinstance(value, (int, float))
               and math.isfinite(value)}
    self._tensorboard_writer().write(metrics['step'], scalars, pictures)

  def write_diagnostics(self, rows: List[Dict[str, float]],
                        config: ml_collections.ConfigDict) -> None:
    """Appends diagnostics rows (train_loops.Trainer.take_diagnostics) and redraws diagnostics.png.

    Each row also goes to TensorBoard under diagnostics/. A step measured twice (an
    epoch redone after a crash) keeps its later row, as metrics.jsonl keeps an epoch's.
    """
    if not self.writes or not rows:
      return
    _append_rows(self.path(DIAGNOSTICS_FILE), rows)
    for row in rows:
      self._tensorboard_writer().write(
          row['step'], {f'diagnostics/{name}': value for name, value in row.items()
                        if name != 'step' and math.isfinite(value)}, {})
    kept = self.read_diagnostics()
    self.write_pictures({'diagnostics': plots.diagnostics_png(
        kept, f'{config.model.name} on {config.data.name}: diagnostics to step '
        f'{kept[-1]["step"]}')})

  def read_diagnostics(self) -> List[Dict[str, float]]:
    """diagnostics.jsonl's rows in step order, one per step (the last written)."""
    return _read_rows(self.path(DIAGNOSTICS_FILE), 'step')

  def _tensorboard_writer(self) -> _TensorBoardWriter:
    if self._tensorboard is None:
      self._tensorboard = _TensorBoardWriter(self.workdir)
    return self._tensorboard

  def read_metrics(self) -> List[Dict[str, float]]:
    """The metrics rows on disk, one per epoch in epoch order.

    A line cut short by a crash mid-write is dropped; of two rows for one epoch (an
    epoch redone after a crash between its row and its checkpoint, or two runs that
    once shared the workdir) the later is kept. A null value is a non-finite one.
    """
    return _read_rows(self.metrics_path, 'epoch')

  def write_pictures(self, pictures: Dict[str, Picture]) -> None:
    """Writes each picture as `{name}.png`; names must be in PICTURES."""
    if not self.writes:
      return
    for name, picture in pictures.items():
      assert name in PICTURES, name
      write_atomically(self.path(f'{name}.png'), picture.png)

  def write_model(self, state) -> None:
    """model.msgpack of the state's params and batch_stats; never of non-finite ones."""
    if not self.writes:
      return
    variables = {'params': state.params, 'batch_stats': state.batch_stats}
    if not all(np.isfinite(leaf).all() for leaf in jax.tree.leaves(jax.device_get(variables))
               if np.issubdtype(np.asarray(leaf).dtype, np.inexact)):
      raise NonFiniteLossError(f'the final parameters are not finite; {MODEL_FILE} was not '
                               f'written; lower the learning rate or set '
                               f'--config.optim.clip_norm, then run again.')
    write_atomically(self.path(MODEL_FILE), flax.serialization.to_bytes(variables))


def _append_rows(path: str, rows: List[Dict[str, Any]]) -> None:
  """Appends rows as JSON lines and syncs them: on disk before the run goes on."""
  with open(path, 'a') as f:
    f.write(''.join(_json_line(row) for row in rows))
    f.flush()
    os.fsync(f.fileno())


def _read_rows(path: str, key: str) -> List[Dict[str, float]]:
  """A JSON-lines file's rows in order of `key`, the last row of each key; null -> NaN.

  A damaged line (a crash mid-write) is skipped with a warning.
  """
  if not os.path.exists(path):
    return []
  rows_by_key = {}
  with open(path) as f:
    for line in f:
      try:
        row = json.loads(line)
      except json.JSONDecodeError:
        logging.warning('Ignoring a damaged line of %s.', path)
        continue
      rows_by_key[row[key]] = {name: math.nan if value is None else value
                               for name, value in row.items()}
  return [rows_by_key[value] for value in sorted(rows_by_key)]


def load_model_variables(workdir: str, template: Dict[str, Any]) -> Dict[str, Any]:
  """Reads model.msgpack into the structure of `template` ({'params', 'batch_stats'})."""
  path = os.path.join(workdir, MODEL_FILE)
  if not os.path.exists(path):
    raise UserError(f'{workdir!r} holds no trained model ({MODEL_FILE}); train one there first.')
  with open(path, 'rb') as f:
    return flax.serialization.from_bytes(template, f.read())


def load_run_config(workdir: str) -> ml_collections.ConfigDict:
  """The config a run in `workdir` was trained with, from its config.json."""
  path = os.path.join(workdir, CONFIG_FILE)
  if not os.path.exists(path):
    raise UserError(f'{workdir!r} holds no run ({CONFIG_FILE} is missing).')
  with open(path) as f:
    return ml_collections.ConfigDict(json.load(f))
