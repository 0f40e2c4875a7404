"""Errors a user can cause, each reported by main.py as one sentence and an exit code."""


class UserError(Exception):
  """A problem the user can fix (a file, a folder, a setting); the message says how."""

  exit_code = 1
  label = 'error'


class ConfigError(UserError):
  """A config value that cannot work; raised before any data is loaded or compiled."""

  exit_code = 2


class NonFiniteLossError(UserError):
  """Training diverged; the metrics of the epochs before it are already on disk."""

  exit_code = 3


class Interrupted(UserError):
  """SIGINT or SIGTERM: the run checkpointed and stopped; the same command resumes."""

  label = 'stopped'

  def __init__(self, message: str, exit_code: int):
    super().__init__(message)
    self.exit_code = exit_code
