"""Turns SIGINT and SIGTERM into a request to stop after the current step.

The train loop polls `requested` between calls of its jitted step (one step in the
python loop, `train.steps_per_call` in the scan loop; a Python attribute, no device
sync), checkpoints, and exits with 128 + the signal number. A second Ctrl-C stops at once.
"""

import signal
from typing import Optional


class StopRequest:
  """Context manager that records the first SIGINT/SIGTERM instead of dying on it."""

  SIGNALS = (signal.SIGINT, signal.SIGTERM)

  def __init__(self):
    self.signal_number: Optional[int] = None
    self._previous = {}

  @property
  def requested(self) -> bool:
    return self.signal_number is not None

  @property
  def exit_code(self) -> int:
    return 128 + (self.signal_number or 0)

  def _handle(self, signal_number, frame):
    del frame
    if self.requested and signal_number == signal.SIGINT:
      raise KeyboardInterrupt
    self.signal_number = signal_number

  def __enter__(self):
    for signal_number in self.SIGNALS:
      self._previous[signal_number] = signal.signal(signal_number, self._handle)
    return self

  def __exit__(self, *exc_info):
    for signal_number, handler in self._previous.items():
      signal.signal(signal_number, handler)
    return False
