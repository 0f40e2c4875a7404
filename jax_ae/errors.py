"""Errors a user can cause, each reported by main.py as one sentence and an exit code."""


class UserError(Exception):
  """A problem the user can fix (a file, a folder, a setting); the message says how."""

  exit_code = 1


class ConfigError(UserError):
  """A config value that cannot work; raised before any data is loaded or compiled."""

  exit_code = 2


class NonFiniteLossError(UserError):
  """Training diverged; the metrics of the epochs before it are already on disk."""

  exit_code = 3
