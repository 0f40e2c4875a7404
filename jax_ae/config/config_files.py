"""Loads a config file once before absl does, to say in one sentence why one cannot load.

absl's `config_flags` imports the file and calls its `get_config()` while parsing the
flags; a file with a syntax error, a missing import, no `get_config` or a `get_config`
that raises then surfaces as a traceback, or as a garbled "no field" message. `check`
runs the same steps itself and raises ConfigError naming the file (and the line).

`with_defaults` completes a config written before some of today's fields existed (a
run's config.json) from configs/default.py, so the library can read every field.
"""

import importlib.util
import json
import os
import traceback
from typing import Any, Dict, Optional, Sequence

import ml_collections

from jax_ae.errors import ConfigError

RUN_CONFIG_FILE = 'config.json'  # the config a run saves in its workdir (run_files.py)

# configs/ sits beside the package in the repository (pip install -e).
DEFAULT_CONFIG_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                   'configs', 'default.py')


def config_path_in(argv: Sequence[str], flag: str = 'config') -> Optional[str]:
  """The value of `--config` in a command line (`--config=PATH` or `--config PATH`), or None."""
  for index, arg in enumerate(argv[1:], start=1):
    if arg == '--':
      break
    if arg.startswith(f'--{flag}='):
      return arg.split('=', 1)[1]
    if arg == f'--{flag}' and index + 1 < len(argv):
      return argv[index + 1]
  return None


def _line_in(path: str, error: BaseException) -> str:
  """' (line N)' of the deepest traceback frame inside the config file, else ''."""
  frames = [frame for frame in traceback.extract_tb(error.__traceback__)
            if os.path.abspath(frame.filename) == os.path.abspath(path)]
  return f' (line {frames[-1].lineno})' if frames else ''


def _summary(error: BaseException) -> str:
  message = str(error).strip().splitlines()
  return f'{type(error).__name__}: {message[0]}' if message else type(error).__name__


def check(value: str) -> None:
  """Imports the config file `value` (PATH or PATH:ARGUMENT) and calls its get_config.

  Raises ConfigError with one sentence for each way that fails, a path that is not a
  file included.
  """
  path, _, argument = value.partition(':')
  if not os.path.isfile(path) and os.path.isfile(value):
    path, argument = value, ''
  if not os.path.isfile(path):
    raise ConfigError(f'config file {path!r} not found; pass the path of a config file, e.g. '
                      f'--config=configs/v3.py (python main.py --help lists them).')
  spec = importlib.util.spec_from_file_location('_jax_ae_checked_config', path)
  module = importlib.util.module_from_spec(spec)
  try:
    spec.loader.exec_module(module)
  except SyntaxError as error:
    raise ConfigError(f'config file {path!r} has a syntax error at line {error.lineno}: '
                      f'{error.msg}.') from error
  except ImportError as error:
    raise ConfigError(f'config file {path!r} cannot import what it needs{_line_in(path, error)}: '
                      f'{_summary(error)}; install it or fix the import.') from error
  except Exception as error:  # pylint: disable=broad-except
    raise ConfigError(f'config file {path!r} failed to load{_line_in(path, error)}: '
                      f'{_summary(error)}.') from error
  get_config = getattr(module, 'get_config', None)
  if not callable(get_config):
    raise ConfigError(f'config file {path!r} defines no get_config(); a config file returns '
                      f'its ConfigDict from get_config(), as configs/v3.py does.')
  try:
    config = get_config(argument) if argument else get_config()
  except Exception as error:  # pylint: disable=broad-except
    raise ConfigError(f'get_config() of config file {path!r} raised {_summary(error)}'
                      f'{_line_in(path, error)}.') from error
  if not isinstance(config, ml_collections.ConfigDict):
    raise ConfigError(f'get_config() of config file {path!r} returned {type(config).__name__}, '
                      f'not an ml_collections.ConfigDict; end it with `return config`.')


def default_config() -> ml_collections.ConfigDict:
  """configs/default.py's get_config(): every field jax-ae reads, with its default."""
  spec = importlib.util.spec_from_file_location('_jax_ae_default_config', DEFAULT_CONFIG_FILE)
  module = importlib.util.module_from_spec(spec)
  spec.loader.exec_module(module)
  return module.get_config()


def _fill(config: ml_collections.ConfigDict, defaults: ml_collections.ConfigDict) -> None:
  for name, default in defaults.items():
    if name not in config:
      config[name] = default
    elif isinstance(default, ml_collections.ConfigDict) and name != 'model':
      _fill(config[name], default)  # a model's fields are its module's (models.py)


def with_defaults(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
  """`config` with every field it lacks set to configs/default.py's value.

  For configs written before a field existed: such a run used what is now the
  default. The one place old configs are completed; the library reads fields directly.
  """
  config = ml_collections.ConfigDict(config.to_dict())
  _fill(config, default_config())
  return config


def saved_run_config(workdir: str) -> Optional[Dict[str, Any]]:
  """The config.json of the run `workdir` holds, as saved (nested dicts); None without one."""
  path = os.path.join(workdir, RUN_CONFIG_FILE)
  if not os.path.exists(path):
    return None
  with open(path) as f:
    return json.load(f)
