"""Everything a run leaves in its workdir, written so that finished work is never lost.

config.json        the resolved config
metrics.jsonl      one JSON object per finished epoch, appended and flushed each epoch
events.out.tfevents.*  the same scalars and the epoch's picture, for TensorBoard
loss_curve.png     train and test loss (and accuracy) per epoch
reconstructions.png            autoencoders: test images and their reconstructions
confusion_matrix.png, misclassified.png   classifiers (tasks.py chooses the pictures)
model.msgpack      final params and batch_stats (flax.serialization), for evaluation
model.msgpack.sha256   its sha256 (`sha256sum -c` reads it): a damaged model is refused
checkpoints/       Orbax checkpoints to resume from (checkpoint.py)

This module writes what it is handed (rows, finished pictures, variables) and reads
it back; what goes in them is decided by the training loop (train.py, epoch_end.py),
the TensorBoard events by tensorboard_events.py, whether a run may resume by resume.py.
"""

import hashlib
import json
import math
import os
from typing import Any, Dict, List, Optional

from absl import logging
import flax
import ml_collections

from jax_ae import errors
from jax_ae.config import config_files
from jax_ae.errors import UserError

CONFIG_FILE = config_files.RUN_CONFIG_FILE
METRICS_FILE = 'metrics.jsonl'
DIAGNOSTICS_FILE = 'diagnostics.jsonl'  # config.diagnostics.every_steps > 0 only
MODEL_FILE = 'model.msgpack'
SESSIONS_FILE = 'sessions.jsonl'  # one line per training command that ran here: host, config file
PER_CLASS_FILE = 'per_class.json'  # classifiers: the test split's accuracy per class
MODEL_DIGEST_FILE = MODEL_FILE + '.sha256'
EMA_MODEL_FILE = 'model_ema.msgpack'  # optim.ema_decay > 0: the parameters' moving average
# Every picture a run may leave, named `{name}.png` (run_pictures.py and train.py choose them).
PICTURES = ('loss_curve', 'reconstructions', 'confusion_matrix', 'misclassified', 'diagnostics')
CHECKPOINTS_DIR = 'checkpoints'


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

  def path(self, name: str) -> str:
    return os.path.join(self.workdir, name)

  def delete_previous_run(self) -> None:
    """Removes what an earlier run left, for --config.restart=True."""
    if not self.writes:
      return
    for name in os.listdir(self.workdir):
      if name in (CONFIG_FILE, METRICS_FILE, DIAGNOSTICS_FILE, SESSIONS_FILE, MODEL_FILE,
                  MODEL_DIGEST_FILE,
                  EMA_MODEL_FILE, EMA_MODEL_FILE + '.sha256') \
          or name in {f'{picture}.png' for picture in PICTURES} \
          or name.startswith('events.out.tfevents'):
        os.remove(self.path(name))

  def truncate_metrics(self, completed_epochs: int) -> Optional[int]:
    """Keeps the metrics of the first `completed_epochs` epochs: a resumed run redoes the rest.

    Returns the first step whose rows were dropped (TensorBoard must drop its events
    too), or None where none was.
    """
    if not self.writes or not os.path.exists(self.metrics_path):
      return None
    rows = self.read_metrics()
    kept_rows = [row for row in rows if row['epoch'] <= completed_epochs]
    kept = ''.join(_json_line(row) for row in kept_rows)
    with open(self.metrics_path) as f:
      unchanged = f.read() == kept  # also False for a line cut short, or a duplicate row
    if not unchanged:
      write_atomically(self.metrics_path, kept.encode())
    if len(kept_rows) < len(rows):
      return (kept_rows[-1]['step'] if kept_rows else 0) + 1
    return None

  def write_config(self, config: ml_collections.ConfigDict) -> None:
    if not self.writes:
      return
    write_atomically(self.path(CONFIG_FILE), config.to_json(indent=2).encode())

  def append_metrics(self, row: Dict[str, Any]) -> None:
    """Appends one epoch's metrics row to metrics.jsonl, on disk before the run goes on."""
    if self.writes:
      _append_rows(self.metrics_path, [row])

  def append_session(self, row: Dict[str, Any]) -> None:
    """Appends one training command's line to sessions.jsonl (train.py: when it started,
    the host, the config file, its first epoch): where a run's figures and times come from."""
    if self.writes:
      _append_rows(self.path(SESSIONS_FILE), [row])

  def read_sessions(self) -> List[Dict[str, Any]]:
    """sessions.jsonl's lines in order; [] for a run from before the file (or none)."""
    path = self.path(SESSIONS_FILE)
    if not os.path.exists(path):
      return []
    with open(path) as f:
      return [json.loads(line) for line in f if line.strip().endswith('}')]

  def append_diagnostics(self, rows: List[Dict[str, float]]) -> None:
    """Appends diagnostics rows (train_loops.Trainer.take_diagnostics) to diagnostics.jsonl."""
    if self.writes and rows:
      _append_rows(self.path(DIAGNOSTICS_FILE), rows)

  def read_diagnostics(self) -> List[Dict[str, float]]:
    """diagnostics.jsonl's rows in step order, one per step (the last written): a step
    measured twice (an epoch redone after a crash) keeps its later row."""
    return _read_rows(self.path(DIAGNOSTICS_FILE), 'step')

  def read_metrics(self) -> List[Dict[str, float]]:
    """The metrics rows on disk, one per epoch in epoch order.

    A line cut short by a crash mid-write is dropped; of two rows for one epoch (an
    epoch redone after a crash between its row and its checkpoint, or two runs that
    once shared the workdir) the later is kept. A null value is a non-finite one.
    """
    return _read_rows(self.metrics_path, 'epoch')

  def write_pictures(self, pictures: Dict[str, Any]) -> None:
    """Writes each picture (a plots.Picture) as `{name}.png`; names must be in PICTURES."""
    if not self.writes:
      return
    for name, picture in pictures.items():
      assert name in PICTURES, name
      write_atomically(self.path(f'{name}.png'), picture.png)

  def write_per_class(self, rows: List[Dict[str, Any]]) -> None:
    """per_class.json: one {'class', 'count', ...} row per class, as a JSON list."""
    if self.writes:
      write_atomically(self.path(PER_CLASS_FILE), json.dumps(rows, indent=1).encode())

  def write_model(self, variables: Dict[str, Any], name: str = MODEL_FILE) -> None:
    """`name` (model.msgpack) of the variables ({'params', 'batch_stats'}), and its
    sha256 beside it (`name`.sha256).

    The old digest goes first: a crash between the two writes leaves a model without
    a digest (loaded unchecked, as models from before digests), never a mismatch.
    """
    if not self.writes:
      return
    content = flax.serialization.to_bytes(variables)
    digest_path = self.path(name + '.sha256')
    if os.path.exists(digest_path):
      os.remove(digest_path)
    write_atomically(self.path(name), content)
    write_atomically(digest_path, f'{hashlib.sha256(content).hexdigest()}  {name}\n'.encode())


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


def load_model_variables(workdir: str, template: Dict[str, Any],
                         name: str = MODEL_FILE) -> Dict[str, Any]:
  """Reads `name` (model.msgpack) into the structure of `template` ({'params', 'batch_stats'}).

  Raises UserError where the file is missing, does not match the sha256 written beside
  it, or holds no variables; ValueError or KeyError where it holds another model's.
  """
  path = os.path.join(workdir, name)
  if not os.path.exists(path):
    raise UserError(f'{workdir!r} holds no trained model ({name}); train one there first.')
  with open(path, 'rb') as f:
    content = f.read()
  digest_path = path + '.sha256'
  if os.path.exists(digest_path):  # models written before digests have none
    with open(digest_path) as f:
      expected = f.read().split()[:1]
    if [hashlib.sha256(content).hexdigest()] != expected:
      raise UserError(f'{path} is damaged: its sha256 differs from the one written with it '
                      f'({name}.sha256); train the run again, or restore the file.')
  try:
    raw = flax.serialization.msgpack_restore(content)
  except Exception as error:  # pylint: disable=broad-except
    raise UserError(f'{path} is not a model file ({errors.first_line(error)}); train the run '
                    f'again, or restore the file.') from error
  if not isinstance(raw, dict) or not {'params', 'batch_stats'} <= set(raw):
    raise UserError(f'{path} holds no model variables (no params and batch_stats); train the '
                    f'run again, or restore the file.')
  return flax.serialization.from_state_dict(template, raw)


def load_run_config(workdir: str) -> ml_collections.ConfigDict:
  """The config a run in `workdir` was trained with, from its config.json."""
  saved = config_files.saved_run_config(workdir)
  if saved is None:
    raise UserError(f'{workdir!r} holds no run ({CONFIG_FILE} is missing).')
  return config_files.with_defaults(ml_collections.ConfigDict(saved))
