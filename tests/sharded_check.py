"""`python -m tests.sharded_check` on 8 CPU devices: sharded training against one device.

Run by tests/test_sharding.py in a subprocess with
XLA_FLAGS=--xla_force_host_platform_device_count=8, since the device count is fixed
when JAX starts. Prints one JSON object: for every model and train loop, the largest
difference between the parameters and batch statistics trained on 1 and on 8 devices,
and what the sharded run's input BatchNorm saw.
"""

import json
import sys

import jax
import numpy as np

from jax_ae import train
from jax_ae import train_loops
from tests.conftest import ALL_MODELS, tiny_config

NUM_EXAMPLES = 48  # 3 steps of a global batch of 16: 2 examples per device


def _split(seed: int):
  rng = np.random.default_rng(seed)
  # Per-example brightness differs a lot, so per-device BatchNorm moments would differ
  # from the global batch's.
  scale = rng.random((NUM_EXAMPLES, 1), dtype=np.float32)
  return {'image': rng.random((NUM_EXAMPLES, 784), dtype=np.float32) * scale,
          'label': rng.integers(0, 10, NUM_EXAMPLES).astype(np.int32)}


def _train(config, devices):
  trainer = train_loops.Trainer(config, _split(0), _split(1), devices=devices)
  state = trainer.create_state()
  state, _ = trainer.train_epoch(state, train.shuffle_key(config.seed, 1))
  test_loss = float(jax.device_get(trainer.test_metrics(state)['test_loss']))
  return jax.device_get((state.params, state.batch_stats)), test_loss, state, trainer


def _global_batch_input_norm(trainer, config):
  """V5's input BatchNorm running statistics if every step used its global batch's moments."""
  indices = np.asarray(trainer.epoch_batch_indices(train.shuffle_key(config.seed, 1)))
  images = _split(0)['image'].astype(np.float64)
  mean, var = np.zeros(784), np.ones(784)
  for step_indices in indices:
    batch = images[step_indices]
    mean = 0.9 * mean + 0.1 * batch.mean(0)
    var = 0.9 * var + 0.1 * batch.var(0, ddof=1)
  return mean, var


def _largest_difference(a, b):
  return max(float(np.max(np.abs(x - y))) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)))


def main():
  assert jax.device_count() == 8, jax.devices()
  results = {}
  for model in ALL_MODELS:
    for loop in ('python', 'scan'):
      config = tiny_config(model)
      config.batch_size = 16
      config.train.loop = loop
      config.augment.max_shift = 1 if model == 'cnn' else 0
      config.model.dropout_rate = 0.2 if model == 'cnn' else 0.0
      one, one_loss, _, _ = _train(config, jax.devices()[:1])
      eight, eight_loss, state, trainer = _train(config, jax.devices())
      results[f'{model}/{loop}'] = {
          'params': _largest_difference(one[0], eight[0]),
          'batch_stats': _largest_difference(one[1], eight[1]) if one[1] else 0.0,
          'test_loss': abs(one_loss - eight_loss),
          'devices': len(jax.tree.leaves(state.params)[0].sharding.device_set),
      }
      if model == 'v5':
        mean, var = _global_batch_input_norm(trainer, config)
        stats = eight[1]['input_norm']
        results[f'{model}/{loop}']['input_norm_vs_global_batch'] = max(
            float(np.max(np.abs(stats['mean'] - mean))), float(np.max(np.abs(stats['var'] - var))))
  json.dump(results, sys.stdout)


if __name__ == '__main__':
  main()
