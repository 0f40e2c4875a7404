"""`python -m tests.sharded_check` on 8 CPU devices: sharded training against one device.

Run by tests/test_sharding.py in a subprocess of its own, which makes 8 CPU devices
with `chex.set_n_cpu_devices` before JAX starts its backend (the count is fixed then).
Each case trains 3 steps on 1 and on 8 devices (the Trainer's default: every device)
and prints, in one JSON object, the largest difference of every parameter (the
BatchNorm-fed biases aside), every batch statistic and the test loss, what the sharded
run's input BatchNorm saw, and the sharded Trainer's mesh.

Sharding changes a step only where it reduces over the batch: the loss mean, the
gradients' all-reduce, BatchNorm's moments. So two models in float64 (see
tests/float64.py) cover every kind of layer and both train loops: V5 (dense layers,
BatchNorm of features and of the input, scan loop) and the CNN (convolutions,
BatchNorm of channels, dropout and augmentation keys, python loop). One float32 case
(V5) compares the test loss only: float32 rounding in a chaotic model differs per CPU.
"""

import contextlib
import json
import sys

import chex
import jax
import numpy as np

from jax_ae.training import held_out
from jax_ae.training import steps
from jax_ae.training import train_loops
from tests import float64
from tests.helpers import tiny_config

NUM_EXAMPLES = 48  # 3 steps of a global batch of 16: 2 examples per device
# (model, train loop, dtype)
CASES = (('v5', 'scan', 'float64'), ('cnn', 'python', 'float64'), ('v5', 'scan', 'float32'))


def _split(seed: int, dtype):
  rng = np.random.default_rng(seed)
  # Per-example brightness differs a lot, so per-device BatchNorm moments would differ
  # from the global batch's.
  scale = rng.random((NUM_EXAMPLES, 1))
  return {'image': (rng.random((NUM_EXAMPLES, 784)) * scale).astype(dtype),
          'label': rng.integers(0, 10, NUM_EXAMPLES).astype(np.int32)}


def _train(config, devices, dtype):
  trainer = train_loops.Trainer(config, _split(0, dtype), devices=devices)
  state = trainer.create_state()
  if dtype == np.float64:
    state = trainer.replicate(float64.cast(state))
  state, _ = trainer.train_epoch(state, steps.shuffle_key(config.seed, 1))
  evaluator = held_out.Evaluator(config, trainer.task, _split(1, dtype), trainer.mesh)
  test_loss = float(jax.device_get(evaluator.test_results(state)['test_loss']))
  return jax.device_get((state.params, state.batch_stats)), test_loss, state, trainer


def _global_batch_input_norm(trainer, config):
  """V5's input BatchNorm running statistics if every step used its global batch's moments."""
  indices = np.asarray(trainer.epoch_batch_indices(steps.shuffle_key(config.seed, 1)))
  images = _split(0, np.float64)['image']
  mean, var = np.zeros(784), np.ones(784)
  for step_indices in indices:
    batch = images[step_indices]
    mean = 0.9 * mean + 0.1 * batch.mean(0)
    var = 0.9 * var + 0.1 * batch.var(0, ddof=1)
  return mean, var


def _largest_difference(a: dict, b: dict) -> float:
  assert a.keys() == b.keys()
  return max((float(np.max(np.abs(a[name] - b[name]))) for name in a), default=0.0)


def _config(model: str, loop: str):
  config = tiny_config(model)
  config.batch_size = 16
  config.train.loop = loop
  config.augment.max_shift = 1 if model == 'cnn' else 0
  config.model.dropout_rate = 0.2 if model == 'cnn' else 0.0
  return config


def _compare(model: str, loop: str, dtype) -> dict:
  config = _config(model, loop)
  one, one_loss, _, _ = _train(config, jax.devices()[:1], dtype)
  eight, eight_loss, state, trainer = _train(config, None, dtype)
  result = {'test_loss': abs(one_loss - eight_loss), 'relative_test_loss':
            abs(one_loss - eight_loss) / abs(one_loss),
            'devices': len(jax.tree.leaves(state.params)[0].sharding.device_set),
            'mesh': dict(trainer.mesh.shape),
            'dtypes': sorted({str(leaf.dtype) for leaf in jax.tree.leaves(eight)})}
  if dtype == np.float64:
    biases = float64.BATCHNORM_FED_BIASES.get(model, ())
    result['params'] = _largest_difference(float64.without(one[0], biases),
                                           float64.without(eight[0], biases))
    result['batch_stats'] = _largest_difference(float64.flat(one[1]), float64.flat(eight[1]))
  if model == 'v5':
    mean, var = _global_batch_input_norm(trainer, config)
    stats = eight[1]['input_norm']
    result['input_norm_vs_global_batch'] = max(
        float(np.max(np.abs(stats['mean'] - mean))), float(np.max(np.abs(stats['var'] - var))))
  return result


def main():
  assert jax.device_count() == 8, jax.devices()
  results = {}
  for model, loop, dtype in CASES:
    with float64.enabled() if dtype == 'float64' else contextlib.nullcontext():
      results[f'{model}/{loop}/{dtype}'] = _compare(model, loop, np.dtype(dtype))
  json.dump(results, sys.stdout)


if __name__ == '__main__':
  chex.set_n_cpu_devices(8)
  main()
