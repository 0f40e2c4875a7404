"""Resolves main.py command lines as `--mode=config` would, without running anything.

    python tests/resolve_commands.py < commands.json

Reads a JSON list of argument lists (each what follows `python main.py`) and prints a
JSON list holding, per command, null or the error main.py would print: an unknown flag,
config file or config field, a bad value. One process for them all (tests/test_docs.py
starts it): main.py's flags are parsed again for each, its config loaded and completed
from the defaults, and the modes are never run.
"""

import contextlib
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=wrong-import-position
from absl import flags

import main
from jax_ae.config import config_files
from jax_ae.runtime import usage


def resolve(args):
  """None if `python main.py ARGS` parses and its config resolves, else what it printed."""
  argv = ['main.py', *args]
  printed = io.StringIO()
  try:
    with contextlib.redirect_stderr(printed), contextlib.redirect_stdout(printed):
      usage.exit_if_help_asked(argv, main.__doc__)  # exits 0 where --help is asked
      flags.FLAGS.unparse_flags()
      for name in [name for name in flags.FLAGS if name.startswith('config.')]:
        delattr(flags.FLAGS, name)  # the previous command's overrides, which parsing defines
      sys.argv = argv  # ml_collections reads the --config.FIELD overrides from sys.argv
      main.parse_flags(argv)
      if flags.FLAGS.config is not None:
        json.dumps(config_files.with_defaults(flags.FLAGS.config).to_dict())
  except SystemExit as error:
    if error.code not in (0, None):
      return printed.getvalue().strip() or f'exit {error.code}'
  except Exception as error:  # pylint: disable=broad-except
    return f'{type(error).__name__}: {error}'
  return None


if __name__ == '__main__':
  print(json.dumps([resolve(args) for args in json.load(sys.stdin)]))
