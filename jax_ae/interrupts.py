"""Turns SIGINT and SIGTERM into a request to stop after the current step.

The train loop polls `requested` between calls of its jitted step (one step in the
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

import jax
from jax.experimental import multihost_utils
import numpy as np


class StopRequest:
  """Context manager that records the first SIGINT/SIGTERM instead of dying on it."""

  SIGNALS = (signal.SIGINT, signal.SIGTERM)

  def __init__(self):
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
      received = multihost_utils.process_allgather(np.int32(self._received or 0))
      self._agreed = int(np.max(received)) or None
    return self.requested

  @property
  def exit_code(self) -> int:
    return 128 + (self.signal_number or 0)

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
