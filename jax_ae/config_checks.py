"""Refuses config values that cannot work, before any data is loaded or anything compiled."""

import math
from typing import Any, Callable, Optional, Sequence

import jax
import ml_collections
import numpy as np

from jax_ae import data
from jax_ae import layers
from jax_ae import models
from jax_ae import sharding
from jax_ae import tasks
from jax_ae import train_loops
from jax_ae.errors import ConfigError

FLOAT32_MAX = float(np.finfo(np.float32).max)


def _is_int(value: Any) -> bool:
  return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
  return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int_tuple(value: Any) -> bool:
  return isinstance(value, (tuple, list)) and all(_is_int(item) for item in value)


# What a value must be before its range is checked, and how to say so.
_KINDS = {'bool': (lambda value: isinstance(value, bool), 'True or False'),
          'int': (_is_int, 'an integer'),
          'number': (_is_number, 'a number'),
          'str': (lambda value: isinstance(value, str), 'a string'),
          'int_tuple': (_is_int_tuple, 'integers')}


def _anything(value) -> bool:
  del value
  return True


def _positive(value) -> bool:
  return value > 0


def _all_positive(values: Sequence[int]) -> bool:
  return len(values) > 0 and all(value > 0 for value in values)


OPTIMIZERS = ('adam', 'sgd')
SCHEDULES = ('exponential', 'cosine')
RECONSTRUCTION_LOSSES = ('mse', 'bce')


def _get(config: ml_collections.ConfigDict, dotted_name: str):
  value = config
  for part in dotted_name.split('.'):
    value = value[part]
  return value


def _flag(name: str) -> str:
  """The flag that sets config field `name`: a refusal names what to change on the command line."""
  return f'--config.{name}'


def _require(config: ml_collections.ConfigDict, name: str, kind: str,
             predicate: Callable[[Any], bool], what: str) -> None:
  """Refuses field `name` unless it is of `kind` and `predicate` holds: '--config.{name} must
  be {what}'."""
  value = _get(config, name)
  if not (_KINDS[kind][0](value) and predicate(value)):
    raise ConfigError(f'{_flag(name)} must be {what}, got {value!r}.')


def _require_choice(config: ml_collections.ConfigDict, name: str, choices: Sequence[str]) -> None:
  value = _get(config, name)
  if value not in choices:
    raise ConfigError(f'unknown {_flag(name)} {value!r}; choose one of {", ".join(choices)}.')


def _require_float32(config: ml_collections.ConfigDict, prefix: str = '') -> None:
  """Refuses a float field that is not finite or overflows float32, the dtype on the device."""
  for key, value in config.items():
    if isinstance(value, ml_collections.ConfigDict):
      _require_float32(value, f'{prefix}{key}.')
    elif isinstance(value, float) and not (math.isfinite(value) and abs(value) <= FLOAT32_MAX):
      raise ConfigError(f'{_flag(prefix + key)} must be a finite number float32 can hold '
                        f'(magnitude at most {FLOAT32_MAX:.3g}), got {value!r}.')


def _model_field_rules(spec: models.ModelSpec):
  """{field: (kind, predicate, what)} for the fields models share by name."""
  blocks = (f'1 to {spec.max_blocks} positive integers (channels per conv block, e.g. 16,32) '
            f'for {spec.name}')
  return {
      'code_dim': ('int', _positive, 'a positive integer'),
      'hidden_units': ('int', _positive, 'a positive integer'),
      'convs_per_block': ('int', _positive, 'a positive integer'),
      'dense_units': ('int', _positive, 'a positive integer'),
      'hidden_widths': ('int_tuple', _all_positive,
                        'positive integers (layer widths, e.g. 128,64,32)'),
      'features': ('int_tuple', lambda value: _all_positive(value) and
                   len(value) <= spec.max_blocks, blocks),
      'batch_norm': ('bool', _anything, 'True or False'),
      'dropout_rate': ('number', lambda value: 0 <= value < 1, 'in [0, 1)'),
      'label_weight': ('number', lambda value: value >= 0, '0 (off) or a positive weight'),
  }


def _kind_of(default: Any) -> Optional[str]:
  return next((kind for kind, (is_kind, _) in _KINDS.items() if is_kind(default)), None)


def _validate_model(config: ml_collections.ConfigDict) -> None:
  """model.name, the task it learns, and the fields it takes."""
  _require_choice(config, 'model.name', tuple(models.REGISTRY))
  spec = models.REGISTRY[config.model.name]
  _require_choice(config, 'task', tuple(tasks.TASKS))
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
  rules = _model_field_rules(spec)
  for name, default in fields.items():
    if name not in config.model:
      continue  # the module's default
    if name == 'upsample':
      _require_choice(config, 'model.upsample', layers.UPSAMPLING)
    elif name in rules:
      _require(config, f'model.{name}', *rules[name])
    else:
      kind = _kind_of(default)  # a field no other model has: of its default's kind
      if kind:
        _require(config, f'model.{name}', kind, _anything, _KINDS[kind][1])


def _validate_records_ii(config: ml_collections.ConfigDict) -> None:
  """optim.reconstruction_loss and optim.ema_decay (issue 39)."""
  _require_choice(config, 'optim.reconstruction_loss', RECONSTRUCTION_LOSSES)
  if (config.optim.reconstruction_loss == 'bce'
      and not models.REGISTRY[config.model.name].sigmoid_output):
    sigmoid_models = ', '.join(name for name, spec in models.REGISTRY.items()
                               if spec.sigmoid_output)
    raise ConfigError(f'--config.optim.reconstruction_loss=bce needs a decoder that ends in a '
                      f'sigmoid ({sigmoid_models}), not {config.model.name}; use mse.')
  _require(config, 'optim.ema_decay', 'number', lambda decay: 0 <= decay < 1,
           'in [0, 1) (0 = off, e.g. 0.999)')


def validate(config: ml_collections.ConfigDict) -> None:
  """Raises ConfigError naming the first field that is wrong and what it accepts."""
  _require_float32(config)
  _validate_model(config)
  _require(config, 'augment.max_shift', 'int', lambda shift: 0 <= shift < models.IMAGE_SIDE,
           f'an integer from 0 (off) to {models.IMAGE_SIDE - 1} pixels')
  _require(config, 'augment.flip', 'bool', _anything, 'True or False')
  _require(config, 'augment.erase_size', 'int', lambda size: 0 <= size <= models.IMAGE_SIDE,
           f'an integer from 0 (off) to {models.IMAGE_SIDE} pixels')
  if config.augment.erase_size and tasks.get(config.task).reproduces_input:
    raise ConfigError('augment.erase_size works for classifiers only: an autoencoder '
                      'learns to reproduce its augmented input, so it would learn to '
                      'draw the erased squares; set --config.augment.erase_size=0.')
  _require_choice(config, 'data.name', data.DATASETS)
  _require_choice(config, 'optim.name', OPTIMIZERS)
  _require_choice(config, 'train.loop', train_loops.LOOPS)
  _require(config, 'train.steps_per_call', 'int', lambda steps: steps >= 0,
           '0 (whole epoch) or a positive integer')
  _require(config, 'diagnostics.every_steps', 'int', lambda steps: steps >= 0,
           '0 (off) or a positive number of steps')
  most = data.NUM_TRAIN_EXAMPLES[config.data.name]
  _require(config, 'bench.batch_sizes', 'int_tuple',
           lambda sizes: all(0 < size <= most for size in sizes),
           f'positive integers up to {most}, the training examples of {config.data.name} '
           f'(e.g. 32,256,1024)')
  for name in ('batch_size', 'eval_batch_size', 'num_epochs', 'num_reconstructions',
               'checkpoint_every_epochs', 'keep_checkpoints', 'bench.repetitions'):
    _require(config, name, 'int', _positive, 'a positive integer')
  for name in ('optim.learning_rate', 'optim.decay_rate', 'optim.transition_epochs'):
    _require(config, name, 'number', _positive, 'a positive number')
  _require_choice(config, 'optim.schedule', SCHEDULES)
  _require(config, 'optim.warmup_epochs', 'number',
           lambda epochs: 0 <= epochs < config.num_epochs,
           f'from 0 (none) to less than num_epochs ({config.num_epochs})')
  _require(config, 'optim.clip_norm', 'number', lambda norm: norm >= 0,
           '0 (off) or a positive number')
  # Below 1: a step never shrinks a kernel past zero.
  _require(config, 'optim.weight_decay', 'number', lambda decay: 0 <= decay < 1,
           'in [0, 1) (0 = off)')
  _require(config, 'optim.label_smoothing', 'number', lambda amount: 0 <= amount < 1,
           'in [0, 1) (0 = one-hot targets)')
  if config.optim.label_smoothing and config.task != 'classify':
    raise ConfigError('optim.label_smoothing smooths class targets; set '
                      '--config.optim.label_smoothing=0 unless task=classify.')
  _require(config, 'optim.edge_weight', 'number', lambda weight: weight >= 0,
           '0 (off) or a positive weight')
  if config.optim.edge_weight and config.task != 'reconstruct':
    raise ConfigError('optim.edge_weight weighs the edges of reconstructed images; set '
                      '--config.optim.edge_weight=0 unless task=reconstruct.')
  _validate_records_ii(config)
  if config.optim.name == 'sgd' and config.optim.weight_decay:
    raise ConfigError('optim.weight_decay is AdamW\'s; set --config.optim.weight_decay=0 '
                      'with optim.name=sgd.')
  num_train_examples = data.NUM_TRAIN_EXAMPLES[config.data.name]
  if config.batch_size > num_train_examples:
    raise ConfigError(f'--config.batch_size {config.batch_size} exceeds the '
                      f'{num_train_examples} training examples of {config.data.name}; use at '
                      f'most {num_train_examples}.')
  _require(config, 'data.validation_size', 'int',
           lambda size: 0 <= size <= num_train_examples - config.batch_size,
           f'0 (none) to {num_train_examples} training examples less one batch')
  _require(config, 'data.train_subset', 'int',
           lambda size: size == 0 or config.batch_size <= size <= num_train_examples,
           f'0 (all) or from batch_size to {num_train_examples} examples')
  num_test_examples = data.NUM_TEST_EXAMPLES[config.data.name]
  if config.eval_batch_size > num_test_examples:
    raise ConfigError(f'--config.eval_batch_size {config.eval_batch_size} exceeds the '
                      f'{num_test_examples} test examples of {config.data.name}; use at most '
                      f'{num_test_examples}.')
  sizes = tuple(config.bench.batch_sizes)
  for batch_size in {config.batch_size, *sizes}:
    sharding.check_batches_divide(batch_size, config.eval_batch_size, jax.device_count())
  smallest_batch = min((config.batch_size, *sizes))
  if models.REGISTRY[config.model.name].uses_batch_norm(config.model) and smallest_batch < 2:
    raise ConfigError(f'{config.model.name} uses BatchNorm, which needs --config.batch_size '
                      f'(and --config.bench.batch_sizes) >= 2, got {smallest_batch}.')
