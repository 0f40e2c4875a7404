"""Refuses config values that cannot work, before any data is loaded or anything compiled."""

import ml_collections

from jax_ae import data
from jax_ae import models
from jax_ae import train_loops
from jax_ae.errors import ConfigError

_POSITIVE_INTS = ('batch_size', 'eval_batch_size', 'num_epochs', 'model.code_dim',
                  'model.hidden_units', 'num_reconstructions', 'checkpoint_every_epochs',
                  'keep_checkpoints', 'bench.repetitions')
_POSITIVE_FLOATS = ('optim.learning_rate', 'optim.decay_rate', 'optim.transition_epochs')
_BATCHNORM_MODELS = ('v4', 'v5')


def _get(config: ml_collections.ConfigDict, dotted_name: str):
  value = config
  for part in dotted_name.split('.'):
    value = value[part]
  return value


def check_batch_fits(config: ml_collections.ConfigDict, num_train_examples: int) -> None:
  """Refuses a batch larger than the training split (the canonical or the loaded one)."""
  if config.batch_size > num_train_examples:
    raise ConfigError(f'batch_size {config.batch_size} exceeds the {num_train_examples} '
                      f'training examples of {config.data.name}.')


def validate(config: ml_collections.ConfigDict) -> None:
  """Raises ConfigError naming the first field that is wrong and what it accepts."""
  if config.model.name not in models.MODELS:
    raise ConfigError(f'unknown model.name {config.model.name!r}; choose one of '
                      f'{", ".join(models.MODELS)}.')
  if config.data.name not in data.DATASETS:
    raise ConfigError(f'unknown data.name {config.data.name!r}; choose one of '
                      f'{", ".join(data.DATASETS)}.')
  if config.train.loop not in train_loops.LOOPS:
    raise ConfigError(f'unknown train.loop {config.train.loop!r}; choose one of '
                      f'{", ".join(train_loops.LOOPS)}.')
  steps_per_call = config.train.steps_per_call
  if isinstance(steps_per_call, bool) or not isinstance(steps_per_call, int) or steps_per_call < 0:
    raise ConfigError(f'train.steps_per_call must be 0 (whole epoch) or a positive integer, '
                      f'got {steps_per_call!r}.')
  sizes = config.bench.batch_sizes
  sizes = (sizes,) if isinstance(sizes, int) else sizes
  if not all(isinstance(size, int) and not isinstance(size, bool) and size > 0 for size in sizes):
    raise ConfigError(f'bench.batch_sizes must be positive integers, e.g. 32,256,1024; '
                      f'got {config.bench.batch_sizes!r}.')
  for name in _POSITIVE_INTS:
    value = _get(config, name)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
      raise ConfigError(f'{name} must be a positive integer, got {value!r}.')
  for name in _POSITIVE_FLOATS:
    value = _get(config, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
      raise ConfigError(f'{name} must be a positive number, got {value!r}.')
  clip_norm = config.optim.clip_norm
  if isinstance(clip_norm, bool) or not isinstance(clip_norm, (int, float)) or not clip_norm >= 0:
    raise ConfigError(f'optim.clip_norm must be 0 (off) or a positive number, got {clip_norm!r}.')
  check_batch_fits(config, data.NUM_TRAIN_EXAMPLES[config.data.name])
  smallest_batch = min((config.batch_size, *sizes))
  if config.model.name in _BATCHNORM_MODELS and smallest_batch < 2:
    raise ConfigError(f'{config.model.name} uses BatchNorm, which needs batch_size (and '
                      f'bench.batch_sizes) >= 2, got {smallest_batch}.')
