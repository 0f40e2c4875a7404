"""SIGINT and SIGTERM: at once before a train loop runs, after the current step inside it.

From main.py's first line (`exit_on_signals`), a signal ends the process at once with
one `stopped:` line and 128 + its number: during imports, compilation, data
preparation, evaluation, report or bench there is nothing a stop could save (every
file is written atomically). Python's own KeyboardInterrupt could instead land inside
a library's callback (JAX's garbage collection), be printed there and ignored.

Inside `StopRequest` (the train loop) a signal is a request to stop after the current
step instead. The train loop polls `requested` between calls of its jitted step (one step in the
python loop, `train.steps_per_call` in the scan loop; a Python attribute, no device
sync), checkpoints, and exits with 128 + the signal number. A second Ctrl-C stops at once.
Once a run is stopping, Ctrl-C is ignored: a KeyboardInterrupt raised inside JAX's or
Orbax's exit handlers would print their traceback and could cut a checkpoint short.

With several processes, each must stop after the same step, or the others wait forever
in the next step's all-reduce: there `requested` changes only in `agree()`, a collective
that every process calls at the same points of the loop, and is true in all of them
once any one was signalled.
"""

import atexit
import logging
import os
import signal
import sys
from typing import Optional

# Nothing heavy at the top: main.py imports this module first, so that a signal is
# handled from the first second (jax and numpy are imported where a StopRequest needs them).


class StopRequest:
  """Context manager that records the first SIGINT/SIGTERM instead of dying on it."""

  SIGNALS = (signal.SIGINT, signal.SIGTERM)

  def __init__(self):
    import jax  # pylint: disable=g-import-not-at-top
    self._received: Optional[int] = None
    self._agreed: Optional[int] = None
    self._several_processes = jax.process_count() > 1
    self._previous = {}
    self._signalled = False  # a real signal arrived (tests may set _received directly)

  @property
  def signal_number(self) -> Optional[int]:
    return self._agreed if self._several_processes else self._received

  @property
  def requested(self) -> bool:
    return self.signal_number is not None

  def agree(self) -> bool:
    """Shares the signals every process received; call it at the same step in each."""
    if self._several_processes:
      # pylint: disable=g-import-not-at-top
      from jax.experimental import multihost_utils
      import numpy as np
      received = multihost_utils.process_allgather(np.int32(self._received or 0))
      self._agreed = int(np.max(received)) or None
    return self.requested

  @property
  def exit_code(self) -> int:
    return 128 + (self.signal_number or 0)

  @property
  def signal_name(self) -> str:
    return signal_name(self.signal_number or 0)

  def _handle(self, signal_number, frame):
    del frame
    if self._received is not None and signal_number == signal.SIGINT:
      ignore_further_interrupts()
      raise KeyboardInterrupt
    self._received = signal_number
    self._signalled = True

  def __enter__(self):
    for signal_number in self.SIGNALS:
      self._previous[signal_number] = signal.signal(signal_number, self._handle)
    return self

  def __exit__(self, exc_type, exc_value, traceback):
    for signal_number, handler in self._previous.items():
      signal.signal(signal_number, handler)
    if self._signalled or exc_type is KeyboardInterrupt:
      ignore_further_interrupts()  # the process is on its way out
    return False


def signal_name(signal_number: int) -> str:
  """'SIGINT' for 2."""
  try:
    return signal.Signals(signal_number).name
  except ValueError:
    return f'signal {signal_number}'


def _exit_now(signal_number, frame) -> None:
  del frame
  ignore_further_interrupts()
  sys.stderr.write(f'stopped: {signal_name(signal_number)}; no training step had run since '
                   f'the last checkpoint, so there was nothing to save.\n')
  sys.stderr.flush()
  logging.shutdown()
  os._exit(128 + signal_number)  # pylint: disable=protected-access


def exit_on_signals() -> None:
  """SIGINT or SIGTERM end the process at once, with one line, until a StopRequest.

  A signal the process was started ignoring (a job started with nohup, or in the
  background of a shell without job control) stays ignored.
  """
  for signal_number in StopRequest.SIGNALS:
    if signal.getsignal(signal_number) is not signal.SIG_IGN:
      signal.signal(signal_number, _exit_now)


def ignore_further_interrupts() -> None:
  """Ctrl-C does nothing from now on (SIGTERM and SIGKILL still end the process)."""
  signal.signal(signal.SIGINT, signal.SIG_IGN)


def exit_promptly(exit_code: int) -> None:
  """Ends the process: exit handlers and flushes, but not the interpreter's teardown.

  After the atexit handlers (JAX's distributed shutdown, Orbax's, absl's) the teardown
  of TensorFlow's and XLA's native objects can take seconds on a busy CPU, a good part
  of a SIGTERM grace period once the checkpoint is written. Every file the run writes
  is flushed and closed before this (run_files, checkpoint.py).
  """
  atexit._run_exitfuncs()  # pylint: disable=protected-access
  logging.shutdown()
  sys.stdout.flush()
  sys.stderr.flush()
  os._exit(exit_code)  # pylint: disable=protected-access
