"""What a run shows on the terminal, and the full log it keeps in its workdir.

At the default verbosity the console shows this project's own messages (the
compilation, one line per epoch, checkpoints, warnings) and other libraries' errors;
everything logged, Orbax's, TensorFlow's, JAX's and absl's chatter included, goes to
`workdir/log.txt`. `--verbosity=1` shows all of it on the console as well. A training
run refused because the workdir is another run's (in use, another config, another
model) leaves log.txt as it found it: until resume.py decides (`keep_log`,
`drop_log`), the records wait in memory.

Inside an epoch `Progress` reports steps/s and the time left for the epoch and the
run: a bar redrawn in place on a terminal, a plain line every `interval` seconds
otherwise, so CI logs and nohup files stay readable.
"""

import contextlib
import logging
import os
import sys
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, TextIO

from absl import logging as absl_logging

from jax_ae.errors import ConfigError

LOG_FILE = 'log.txt'
PLAIN_LINE_SECONDS = 30.0
BAR_REDRAW_SECONDS = 0.2
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # jax_ae/


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
  """A Markdown table: what --mode=bench, evaluate and report print, and RESULTS.md holds."""
  lines = ['| ' + ' | '.join(header) + ' |', '|' + ' --- |' * len(header)]
  lines += ['| ' + ' | '.join(str(cell) for cell in row) + ' |' for row in rows]
  return '\n'.join(lines)


def verbosity_in(argv: Sequence[str]) -> int:
  """The --verbosity (-v) an absl command line asks for, before absl has parsed it."""
  verbosity = 0
  for index, token in enumerate(argv):
    name, equals, value = token.partition('=')
    if name in ('--verbosity', '-verbosity', '--v', '-v'):
      if not equals:
        value = argv[index + 1] if index + 1 < len(argv) else '0'
      try:
        verbosity = int(value)
      except ValueError:
        pass  # absl then reports the bad value itself
  return verbosity


def _is_project_record(record: logging.LogRecord) -> bool:
  """Logged by jax_ae or by main.py (which may sit apart from an installed jax_ae)."""
  return record.pathname.startswith(_PACKAGE_DIR) or record.module == 'main'


class _ConsoleFormatter(logging.Formatter):
  """The message alone; 'warning: ' or 'error: ' before the others', and the library's name."""

  def format(self, record: logging.LogRecord) -> str:
    message = record.getMessage()
    if record.exc_info:
      message += '\n' + self.formatException(record.exc_info)
    if record.levelno < logging.WARNING:
      return message
    origin = '' if _is_project_record(record) else f' ({record.module})'
    return f'{record.levelname.lower()}{origin}: {message}'


class _WorkdirLog(logging.FileHandler):
  """The workdir's log file, whose records wait in memory until the run may go on there.

  `decide(keep=True)` writes the waiting records and every later one; `decide(keep=False)`
  forgets them and writes nothing more. Records still waiting when the process ends
  (modes that never decide: evaluate, bench, report; a run that failed before
  deciding) are written then.
  """

  def __init__(self, path: str):
    super().__init__(path, encoding='utf-8')
    self._waiting: Optional[List[logging.LogRecord]] = []  # None once decided
    self._kept = True

  def emit(self, record: logging.LogRecord) -> None:
    if self._waiting is not None:
      self._waiting.append(record)
    elif self._kept:
      super().emit(record)

  def decide(self, keep: bool) -> None:
    with self.lock:
      waiting, self._waiting = self._waiting, None
      if waiting is None:
        return  # decided before: the first decision stands
      self._kept = keep
      for record in waiting if keep else ():
        super().emit(record)

  def close(self) -> None:
    self.decide(keep=True)
    super().close()


_workdir_log: Optional[_WorkdirLog] = None


def keep_log() -> None:
  """The run goes on in its workdir: its records so far, and all later ones, go to log.txt."""
  if _workdir_log is not None:
    _workdir_log.decide(keep=True)


def drop_log() -> None:
  """The run was refused a workdir that holds another run: nothing of it goes to log.txt."""
  if _workdir_log is not None:
    _workdir_log.decide(keep=False)


@contextlib.contextmanager
def refusals_leave_the_log():
  """A ConfigError inside refuses the run: the workdir's log.txt is left as it was."""
  try:
    yield
  except ConfigError:
    drop_log()
    raise


def setup(workdir: str, verbosity: int, process_id: Optional[int] = None) -> Optional[str]:
  """Routes Python and absl logging: all of it to the workdir's log, little to the console.

  Returns the log file's path, or None where the workdir cannot be written (the run
  reports that itself, in one line). Process 0 (or a single process) writes log.txt,
  process I log.processI.txt.
  """
  global _workdir_log
  from absl import logging as absl_logging  # pylint: disable=g-import-not-at-top
  logging.captureWarnings(True)  # Python warnings (deprecations) become log records
  root = logging.getLogger()
  name = LOG_FILE if not process_id else f'log.process{process_id}.txt'
  path = os.path.join(workdir, name)
  try:
    os.makedirs(workdir, exist_ok=True)
    _workdir_log = _WorkdirLog(path)
  except OSError:
    path = None
  else:
    _workdir_log.setFormatter(absl_logging.PythonFormatter())
    root.addHandler(_workdir_log)
  if verbosity >= 1:
    return path
  root.removeHandler(absl_logging.get_absl_handler())
  console_handler = logging.StreamHandler(sys.stderr)
  console_handler.setFormatter(_ConsoleFormatter())
  console_handler.addFilter(
      lambda record: _is_project_record(record) or record.levelno >= logging.ERROR)
  root.addHandler(console_handler)
  return path


def _duration(seconds: float) -> str:
  if seconds < 90:
    return f'{seconds:.0f} s'
  if seconds < 90 * 60:
    return f'{seconds / 60:.1f} min'
  return f'{seconds / 3600:.1f} h'


class Progress:
  """Steps/s and time left, for the epochs of one run; an EpochProgress reports each.

  The train loop tells it how many steps the device has finished, which it knows
  without a sync of its own (see train_loops.Trainer.train_epoch). The rate is
  measured from the first finished call of each epoch, so compilation does not count.
  The run's time left is its steps left at that rate; evaluation and checkpoints add
  to it.
  """

  def __init__(self, steps_per_epoch: int, num_epochs: int, stream: Optional[TextIO] = None,
               interval: float = PLAIN_LINE_SECONDS, clock: Callable[[], float] = time.monotonic,
               on_terminal: Optional[bool] = None):
    self.steps_per_epoch = steps_per_epoch
    self.num_epochs = num_epochs
    self.stream = stream if stream is not None else sys.stderr
    self.interval = interval
    self.clock = clock
    self.on_terminal = (self.stream.isatty() if on_terminal is None else on_terminal)

class EpochProgress:
  """One epoch's progress: `update(steps_done)` after each finished call, then `finish()`."""

  def __init__(self, run: Progress, epoch: int):
    self.run = run
    self.epoch = epoch
    self._first = None  # (time, steps) of the first update: the rate's origin
    self._last_shown = run.clock()
    self._bar_width = 0

  def rate(self, now: float, steps_done: int) -> Optional[float]:
    if self._first is None or now <= self._first[0] or steps_done <= self._first[1]:
      return None
    return (steps_done - self._first[1]) / (now - self._first[0])

  def describe(self, steps_done: int, now: float) -> str:
    """'epoch 2/5  step 800/1875 (43%)  65.1 steps/s  epoch left 16 s  run left 1.2 min'."""
    run = self.run
    text = (f'epoch {self.epoch}/{run.num_epochs}  step {steps_done}/{run.steps_per_epoch} '
            f'({100 * steps_done // max(run.steps_per_epoch, 1)}%)')
    rate = self.rate(now, steps_done)
    if rate is None:
      return text
    epoch_left = (run.steps_per_epoch - steps_done) / rate
    run_left = epoch_left + (run.num_epochs - self.epoch) * run.steps_per_epoch / rate
    return (f'{text}  {rate:.1f} steps/s  epoch left {_duration(epoch_left)}  '
            f'run left {_duration(run_left)}')

  def update(self, steps_done: int) -> None:
    now = self.run.clock()
    if self._first is None:
      self._first = (now, steps_done)
    if self.run.on_terminal:
      if now - self._last_shown >= BAR_REDRAW_SECONDS:
        self._draw_bar(steps_done, now)
    elif now - self._last_shown >= self.run.interval:
      self.run.stream.write(self.describe(steps_done, now) + '\n')
      self.run.stream.flush()
      self._last_shown = now

  def _draw_bar(self, steps_done: int, now: float) -> None:
    width = 20
    filled = width * steps_done // max(self.run.steps_per_epoch, 1)
    line = f'[{"#" * filled}{"." * (width - filled)}] {self.describe(steps_done, now)}'
    self.run.stream.write('\r' + line.ljust(self._bar_width))
    self.run.stream.flush()
    self._bar_width = len(line)
    self._last_shown = now

  def finish(self) -> None:
    """Clears the bar, so the epoch's line that follows starts on a clean line."""
    if self._bar_width:
      self.run.stream.write('\r' + ' ' * self._bar_width + '\r')
      self.run.stream.flush()
      self._bar_width = 0


def log_epoch(metrics: Dict[str, Any], num_epochs: int) -> None:
  """The console's one line per epoch, from its metrics.jsonl row."""
  held_out = ('val', 'val_ema', 'test', 'test_ema')
  figures = [f'{name} {metrics[name]:.5f}'
             for name in ('train_loss', *(f'{split}_loss' for split in held_out))
             if metrics.get(name) is not None]
  figures += [f'{name} {metrics[name]:.4f}'
              for name in ('train_accuracy', *(f'{split}_accuracy' for split in held_out))
              if metrics.get(name) is not None]
  # An epoch that measured no gradient norm (train.grad_norm_every_steps) has none.
  grad_norm = ('' if metrics.get('grad_norm') is None
               else f'  grad_norm {metrics["grad_norm"]:.3f}')
  absl_logging.info('epoch %d/%d  %s  lr %.2e%s  %.1fs (%.0f examples/s)',
                    metrics['epoch'], num_epochs, '  '.join(figures), metrics['learning_rate'],
                    grad_norm, metrics['epoch_seconds'], metrics['examples_per_second'])
