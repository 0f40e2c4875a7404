"""Refuses config values that cannot work, before any data is loaded or anything compiled."""

import jax
import ml_collections

from jax_ae import augment
from jax_ae import data
from jax_ae import layers
from jax_ae import models
from jax_ae import sharding
from jax_ae import tasks
from jax_ae import train_loops
from jax_ae.errors import ConfigError

_POSITIVE_INTS = ('batch_size', 'eval_batch_size', 'num_epochs', 'model.code_dim',
                  'model.hidden_units', 'model.dense_units', 'num_reconstructions',
                  'checkpoint_every_epochs', 'keep_checkpoints', 'bench.repetitions')
_POSITIVE_FLOATS = ('optim.learning_rate', 'optim.decay_rate', 'optim.transition_epochs')


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


def _validate_model_shape(model_config: ml_collections.ConfigDict) -> None:
  """The convolutional models' fields: block widths, upsampling, dropout."""
  features = model_config.features
  features = (features,) if isinstance(features, int) else features  # not yet known to be ints
  # Each block pools 2x2: 28 -> 14 -> 7 -> 3. The autoencoder upsamples by 2 per block
  # and cannot get back to 28 from 3, so it takes at most two blocks.
  max_blocks = 2 if model_config.name == 'conv_ae' else 3
  if not (1 <= len(features) <= max_blocks and
          all(isinstance(f, int) and not isinstance(f, bool) and f > 0 for f in features)):
    raise ConfigError(f'model.features must be 1 to {max_blocks} positive integers (channels '
                      f'per conv block) for {model_config.name}, e.g. 16,32; got '
                      f'{model_config.features!r}.')
  if model_config.upsample not in layers.UPSAMPLING:
    raise ConfigError(f'unknown model.upsample {model_config.upsample!r}; choose one of '
                      f'{", ".join(layers.UPSAMPLING)}.')
  if not isinstance(model_config.batch_norm, bool):
    raise ConfigError(f'model.batch_norm must be True or False, got {model_config.batch_norm!r}.')
  rate = model_config.dropout_rate
  if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
    raise ConfigError(f'model.dropout_rate must be in [0, 1), got {rate!r}.')


def _validate_augmentation(augment_config: ml_collections.ConfigDict) -> None:
  shift = augment_config.max_shift
  if isinstance(shift, bool) or not isinstance(shift, int) or not 0 <= shift < models.IMAGE_SIDE:
    raise ConfigError(f'augment.max_shift must be an integer from 0 (off) to '
                      f'{models.IMAGE_SIDE - 1} pixels, got {shift!r}.')
  if not isinstance(augment_config.flip, bool):
    raise ConfigError(f'augment.flip must be True or False, got {augment_config.flip!r}.')


def validate(config: ml_collections.ConfigDict) -> None:
  """Raises ConfigError naming the first field that is wrong and what it accepts."""
  if config.model.name not in models.MODELS:
    raise ConfigError(f'unknown model.name {config.model.name!r}; choose one of '
                      f'{", ".join(models.MODELS)}.')
  if config.task not in tasks.TASKS:
    raise ConfigError(f'unknown task {config.task!r}; choose one of {", ".join(tasks.TASKS)}.')
  if models.TASK_OF_MODEL[config.model.name] != config.task:
    raise ConfigError(f'model {config.model.name!r} learns to '
                      f'{models.TASK_OF_MODEL[config.model.name]}, but task is '
                      f'{config.task!r}; set --config.task='
                      f'{models.TASK_OF_MODEL[config.model.name]}.')
  _validate_model_shape(config.model)
  _validate_augmentation(config.augment)
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
  decay = config.optim.weight_decay  # below 1: a step never shrinks a kernel past zero
  if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0 <= decay < 1:
    raise ConfigError(f'optim.weight_decay must be in [0, 1) (0 = off), got {decay!r}.')
  check_batch_fits(config, data.NUM_TRAIN_EXAMPLES[config.data.name])
  for batch_size in {config.batch_size, *sizes}:
    sharding.check_batches_divide(batch_size, config.eval_batch_size, jax.device_count())
  smallest_batch = min((config.batch_size, *sizes))
  if models.uses_batch_norm(config.model) and smallest_batch < 2:
    raise ConfigError(f'{config.model.name} uses BatchNorm, which needs batch_size (and '
                      f'bench.batch_sizes) >= 2, got {smallest_batch}.')
