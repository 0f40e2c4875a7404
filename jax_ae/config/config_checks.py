"""Refuses config values that cannot work, before any data is loaded or anything compiled.

Each field's own check is declared with the field (config_fields.py); here they are run in
an order where a field is checked after the fields its check reads, then the rules that
relate several fields.
"""

import math
from typing import List

import jax
import ml_collections
import numpy as np

from jax_ae.config import config_fields
from jax_ae.errors import ConfigError
from jax_ae.models import losses
from jax_ae.models import networks
from jax_ae.models import tasks
from jax_ae.runtime import sharding

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


def _check_model(config: ml_collections.ConfigDict) -> None:
  """The model learns the config's task and is given only the fields it takes."""
  spec = networks.REGISTRY[config.model.name]
  if spec.task != config.task:
    raise ConfigError(f'model {spec.name!r} learns to {spec.task}, but task is {config.task!r}; '
                      f'set --config.task={spec.task}.')
  fields = spec.config_fields()
  foreign = [name for name in config.model.keys() if name != 'name' and name not in fields]
  if foreign:
    raise ConfigError(
        f'model {spec.name!r} takes {", ".join("model." + name for name in fields)}, not '
        f'{", ".join("model." + name for name in foreign)}; choose a model by its config '
        f'file (configs/*.py), not by --config.model.name.')
  _check_fields(config, config_fields.model_fields(config.model.name))


def _check_relations(config: ml_collections.ConfigDict) -> None:
  """The rules between fields, each valid on its own."""
  if config.augment.erase_size and tasks.get(config.task).reproduces_input:
    raise ConfigError('augment.erase_size works for classifiers only: an autoencoder '
                      'learns to reproduce its augmented input, so it would learn to '
                      'draw the erased squares; set --config.augment.erase_size=0.')
  losses.check_config(config)
  if config.optim.name == 'sgd' and config.optim.weight_decay:
    raise ConfigError('optim.weight_decay is AdamW\'s; set --config.optim.weight_decay=0 '
                      'with optim.name=sgd.')
  sharding.check_batches_divide(config, jax.device_count())
  smallest_batch = min((config.batch_size, *config.bench.batch_sizes))
  if networks.REGISTRY[config.model.name].uses_batch_norm(config.model) and smallest_batch < 2:
    raise ConfigError(f'{config.model.name} uses BatchNorm, which needs --config.batch_size '
                      f'(and --config.bench.batch_sizes) >= 2, got {smallest_batch}.')


def validate(config: ml_collections.ConfigDict) -> None:
  """Raises ConfigError naming the first field that is wrong and what it accepts."""
  _require_float32(config)
  _check_fields(config, config_fields.FIELDS)
  _check_model(config)
  _check_relations(config)
