"""Refuses config values that cannot work, before any data is loaded or anything compiled.

Each field's own check is declared with the field (config_fields.py); here they are run in
an order where a field is checked after the fields its check reads, then the rules that
relate several fields, those that ask the model or the task last.
"""

import json
import math
from typing import Any, Dict, List, Optional

import jax
import ml_collections
import numpy as np

from jax_ae.config import config_fields
from jax_ae.config import config_files
from jax_ae.errors import ConfigError
from jax_ae.models import losses
from jax_ae.models import networks
from jax_ae.models import tasks

FLOAT32_MAX = float(np.finfo(np.float32).max)


def _require_float32(config: ml_collections.ConfigDict, prefix: str = '') -> None:
  """Refuses a float field that is not finite or overflows float32, the dtype on the device."""
  for key, value in config.items():
    if isinstance(value, ml_collections.ConfigDict):
      _require_float32(value, f'{prefix}{key}.')
    elif isinstance(value, float) and not (math.isfinite(value) and abs(value) <= FLOAT32_MAX):
      raise ConfigError(f'--config.{prefix}{key} must be a finite number float32 can hold '
                        f'(magnitude at most {FLOAT32_MAX:.3g}), got {value!r}.')


def _in_check_order(fields: List[config_fields.Field]) -> List[config_fields.Field]:
  """`fields`, each after the fields its check reads: a range of batch sizes needs a checked
  data.name."""
  by_name = {field.name: field for field in fields}
  ordered, seen = [], set()

  def add(field):
    if field.name in seen:
      return
    seen.add(field.name)
    for name in field.check.reads:
      if name in by_name:
        add(by_name[name])
    ordered.append(field)

  for field in fields:
    add(field)
  return ordered


def _check_fields(config: ml_collections.ConfigDict, fields: List[config_fields.Field]) -> None:
  for field in _in_check_order(fields):
    if not config_fields.has(config, field.name):
      continue  # a model field left to the module's default
    refusal = field.check.refusal(field.name, config_fields.value_of(config, field.name), config)
    if refusal:
      raise ConfigError(refusal)


def _check_model_fields(config: ml_collections.ConfigDict) -> None:
  """The model learns the config's task and is given only the fields it takes, each a value
  it accepts."""
  spec = networks.REGISTRY[config.model.name]
  if spec.task != config.task:
    raise ConfigError(f'model {spec.name!r} learns to {spec.task}, but task is {config.task!r}; '
                      f'set --config.task={spec.task}.')
  fields = config_fields.model_fields(config.model.name)
  taken = [field.name.split('.', 1)[1] for field in fields]
  foreign = [name for name in config.model.keys() if name != 'name' and name not in taken]
  if foreign:
    raise ConfigError(
        f'model {config.model.name!r} takes {", ".join("model." + name for name in taken)}, not '
        f'{", ".join("model." + name for name in foreign)}; choose a model by its config '
        f'file (configs/*.py), not by --config.model.name.')
  _check_fields(config, fields)


def check_batches_divide(config: ml_collections.ConfigDict, num_devices: int) -> None:
  """Refuses a global batch of `config` (training, evaluation, each benchmark size) that
  cannot be split evenly over `num_devices`."""
  batches = [('batch_size', config.batch_size), ('eval_batch_size', config.eval_batch_size),
             *(('bench.batch_sizes', size) for size in config.bench.batch_sizes)]
  for name, size in batches:
    if size % num_devices:
      raise ConfigError(f'--config.{name} {size} does not split evenly over {num_devices} '
                        f'devices; use a multiple of {num_devices}.')


def _check_against_model(config: ml_collections.ConfigDict) -> None:
  """The rules that ask the model or the task: what it trains with, what it normalises with."""
  if config.augment.erase_size and tasks.get(config.task).reproduces_input:
    raise ConfigError('augment.erase_size works for classifiers only: an autoencoder '
                      'learns to reproduce its augmented input, so it would learn to '
                      'draw the erased squares; set --config.augment.erase_size=0.')
  losses.check_config(config)
  smallest_batch = min((config.batch_size, *config.bench.batch_sizes))
  if networks.REGISTRY[config.model.name].uses_batch_norm(config.model) and smallest_batch < 2:
    raise ConfigError(f'{config.model.name} uses BatchNorm, which needs --config.batch_size '
                      f'(and --config.bench.batch_sizes) >= 2, got {smallest_batch}.')


def _flatten(tree: Dict[str, Any], prefix: str = '') -> Dict[str, Any]:
  """{'optim.name': 'adam', ...}: a config's nested fields by their dotted names."""
  flat = {}
  for name, value in tree.items():
    if isinstance(value, dict):
      flat |= _flatten(value, f'{prefix}{name}.')
    else:
      flat[f'{prefix}{name}'] = value
  return flat


def check_same_run(config: ml_collections.ConfigDict, workdir: str) -> None:
  """Refuses a config that cannot go on with the run `workdir` holds, listing the fields."""
  saved = config_files.saved_run_config(workdir)
  if saved is None:
    return
  previous = _flatten(saved)
  current = _flatten(json.loads(config.to_json()))  # tuples as the saved lists
  # A field the earlier run's config.json lacks was added to jax-ae since; that run
  # used what is now its default, and a run that changed it would differ elsewhere too
  # (model.name, task), so only fields both configs have are compared. Which fields may
  # differ is declared with each field (config_fields.py).
  resumable = {field.name for field in config_fields.declared(config.model.name)
               if field.may_change_on_resume(previous, config)}
  differing = [f'--config.{name} ({previous.get(name)!r} -> {current.get(name)!r})'
               for name in sorted(set(previous) & set(current))
               if name not in resumable and previous.get(name) != current.get(name)]
  if differing:
    raise ConfigError(f'workdir {workdir!r} holds a run with another config: '
                      f'{", ".join(differing)}; use a new --workdir, or '
                      f'--config.restart=True to replace that run.')


def validate(config: ml_collections.ConfigDict, workdir: Optional[str] = None) -> None:
  """Raises ConfigError naming the first field that is wrong and what it accepts.

  With `workdir`, also refuses a config that cannot go on with the run saved there
  (check_same_run), unless config.restart replaces that run.
  """
  _require_float32(config)
  _check_fields(config, config_fields.FIELDS)
  _check_model_fields(config)
  if workdir is not None and not config.restart:
    check_same_run(config, workdir)
  if config.optim.name == 'sgd' and config.optim.weight_decay:
    raise ConfigError('optim.weight_decay is AdamW\'s; set --config.optim.weight_decay=0 '
                      'with optim.name=sgd.')
  check_batches_divide(config, jax.device_count())
  _check_against_model(config)
