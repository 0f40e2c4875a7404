"""Errors a user can cause, each reported by main.py as one sentence and an exit code.

The library says what happened; main.py, which knows the command line, adds how to go
on where that depends on it (`Resumable`: run the same command, without
--config.restart=True if it was given; `Diverged`: which setting to change).
"""

from typing import Optional


def first_line(error: BaseException, limit: int = 160) -> str:
  """An error's message cut to its first line, for a one-line report; its type if empty.

  TensorFlow's, Orbax's and JAX's messages run to many lines (stack dumps, hints).
  """
  return (str(error).strip().splitlines() or [type(error).__name__])[0][:limit]


class UserError(Exception):
  """A problem the user can fix (a file, a folder, a setting); the message says how."""

  exit_code = 1
  label = 'error'


class ConfigError(UserError):
  """A config value that cannot work; raised before any data is loaded or compiled."""

  exit_code = 2


class Resumable(UserError):
  """The run stopped with its checkpoints intact: the same command goes on from them."""


class Diverged(Resumable):
  """Training diverged; the metrics of the epochs before it are already on disk.

  `what` says what became non-finite and where ('loss became NaN at epoch 3 (step
  17)'); `last_good_epoch` is the epoch of the newest checkpoint, None without one.
  """

  exit_code = 3

  def __init__(self, what: str, last_good_epoch: Optional[int]):
    super().__init__(what)
    self.what = what
    self.last_good_epoch = last_good_epoch


class Interrupted(Resumable):
  """SIGINT or SIGTERM: the run checkpointed and stopped."""

  label = 'stopped'

  def __init__(self, message: str, exit_code: int):
    super().__init__(message)
    self.exit_code = exit_code
