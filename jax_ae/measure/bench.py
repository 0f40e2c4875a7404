"""`--mode=bench`: how fast a config trains and evaluates, on synthetic data.

Synthetic images of the dataset's shape stand in for tfds, so the benchmark runs where
TensorFlow is absent (the GPU image). Every clock read follows `block_until_ready`;
compilation is timed separately (ahead of time) and excluded from the rates, which are
medians over `config.bench.repetitions` timed runs. FLOPs are counted from the dense
and convolution layers' shapes: 2 per multiply-add forward and up to 4 backward
(activations, pooling, BatchNorm and Adam are left out: they are memory-bound and small).
"""

import copy
import gc
import importlib
import json
import os
import resource
import statistics
import time
from typing import Any, Callable, Dict, List

from absl import logging
import flax
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np

from jax_ae.config import config_checks
from jax_ae.datasets import data
from jax_ae.models import networks
from jax_ae.models.networks import IMAGE_PIXELS
from jax_ae.models.networks import NUM_CLASSES
from jax_ae.runtime import host
from jax_ae.runtime import multihost
from jax_ae.training import held_out
from jax_ae.training import steps
from jax_ae.training import train_loops
from jax_ae.workdir import console
from jax_ae.workdir import run_files

COLUMNS = ('version', 'loop', 'backend', 'device_kind', 'device_count', 'batch_size',
           'compile_seconds', 'train_steps_per_second', 'train_examples_per_second',
           'eval_examples_per_second', 'epoch_seconds', 'model_flops_per_example',
           'achieved_flops_per_second', 'peak_flops_per_second', 'flops_utilization')


def version_config(version: str) -> ml_collections.ConfigDict:
  """The config of `configs/<version>.py`, as `--config=configs/<version>.py` gives it."""
  return importlib.import_module(f'configs.{version}').get_config()


def synthetic_split(num_examples: int, seed: int = 0) -> Dict[str, np.ndarray]:
  """Uniform images in [0, 1] and random labels, shaped like the real splits."""
  rng = np.random.default_rng(seed)
  return {'image': rng.random((num_examples, IMAGE_PIXELS), dtype=np.float32),
          'label': rng.integers(0, NUM_CLASSES, num_examples).astype(np.int32)}


def model_flops_per_example(model, variables) -> int:
  """Forward plus backward FLOPs of the dense and conv layers, from their shapes.

  2 per weight and output position forward (a dense layer has one position, a
  convolution one per output pixel), 2 for the weight gradient and 2 for the input
  gradient, except for layers reading the image itself, whose input gradient nobody
  needs.
  """
  variables = jax.device_get(variables)  # on the host: any process can run this alone
  image = np.zeros((1, IMAGE_PIXELS), np.float32)
  _, captured = model.apply(variables, image, train=False, capture_intermediates=True,
                            mutable=['intermediates'])
  kernels = flax.traverse_util.flatten_dict(variables['params'], sep='/')
  total = 0
  # Intermediates are recorded in call order, so the first layer with a kernel is the
  # one that reads the image.
  for index, (path, output) in enumerate(
      (path[:-len('/__call__')], output) for path, output in
      flax.traverse_util.flatten_dict(captured['intermediates'], sep='/').items()
      if f'{path[:-len("/__call__")]}/kernel' in kernels):
    kernel = kernels[f'{path}/kernel']
    positions = int(np.prod(output[0].shape[1:-1]))  # output: [1, ..., features]
    total += (4 if index == 0 else 6) * int(np.prod(kernel.shape)) * positions
  return total


def median_seconds(run: Callable[[], Any], repetitions: int) -> float:
  """Median wall time of `run()` after one warm-up, each run blocked until ready."""
  jax.block_until_ready(run())
  times = []
  for _ in range(repetitions):
    start = time.perf_counter()
    jax.block_until_ready(run())
    times.append(time.perf_counter() - start)
  return statistics.median(times)


def peak_flops_per_second(repetitions: int) -> float:
  """float32 matrix-product FLOP/s of all devices: one device's, times the device count.

  The ceiling for dense layers. The fastest of several square sizes, since the best tile size differs by machine
  (on the 2-core CPU here 1536 beat 4096 by a fifth).
  """
  sizes = (1024, 1536, 2048, 3072, 4096) if jax.default_backend() == 'cpu' else (
      4096, 8192, 16384)
  matmul = jax.jit(jnp.matmul)
  rates = []
  for size in sizes:
    keys = jax.random.split(jax.random.key(size))
    a, b = (jax.random.normal(key, (size, size), jnp.float32) for key in keys)
    rates.append(2 * size**3 / median_seconds(lambda a=a, b=b: matmul(a, b), repetitions))
  return max(rates) * jax.device_count()


def steps_to_time(batch_size: int) -> int:
  """Enough steps that a timed run is long against timer and dispatch noise."""
  return int(np.clip(6400 // batch_size, 10, 200))


def time_training(config: ml_collections.ConfigDict, batch_size: int, num_steps: int,
                  repetitions: int):
  """(trainer, final state, median seconds of `num_steps` train steps, page faults per step).

  The steps run through the config's own train loop (`train_loops.Trainer`), as a run
  takes them, on a synthetic split of exactly `num_steps` batches. The page faults are
  counted over one more epoch after the timed ones: a step that maps its buffers afresh
  each time shows thousands (jax_ae/runtime/host_memory.py).
  """
  # Buffers of an earlier measurement held only by reference cycles slowed V4's scan
  # loop 2.4x when measured after V3: free them before timing anything.
  gc.collect()
  config = copy.deepcopy(config)
  config.batch_size = batch_size
  trainer = train_loops.Trainer(config, synthetic_split(num_steps * batch_size))
  state = trainer.create_state()
  key = steps.shuffle_key(0, 1)
  trainer.compile_step(state, trainer.epoch_batch_indices(key))
  holder = {'state': state}

  def run_epoch():
    holder['state'], sums = trainer.train_epoch(holder['state'], key)
    return sums

  seconds = median_seconds(run_epoch, repetitions)
  faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
  jax.block_until_ready(run_epoch())
  faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before
  return trainer, holder['state'], seconds, faults / num_steps


def measure(config: ml_collections.ConfigDict, batch_size: int,
            peak_flops: float) -> Dict[str, Any]:
  """One row of the benchmark table for `config` at `batch_size`."""
  num_steps = steps_to_time(batch_size)
  trainer, state, train_seconds, _ = time_training(config, batch_size, num_steps,
                                                   config.bench.repetitions)
  config = trainer.config
  repetitions = config.bench.repetitions
  num_test_examples = data.NUM_TEST_EXAMPLES[config.data.name]
  evaluator = held_out.Evaluator(config, trainer.task, synthetic_split(num_test_examples, seed=1),
                                 trainer.mesh)
  compile_seconds = trainer.compile_seconds  # the time its console line tells
  eval_seconds = median_seconds(lambda: evaluator.test_results(state), repetitions)
  steps_per_second = num_steps / train_seconds
  examples_per_second = steps_per_second * batch_size
  flops_per_example = model_flops_per_example(
      networks.create_model(config.model),
      {'params': state.params, 'batch_stats': state.batch_stats})
  achieved = flops_per_example * examples_per_second
  return {
      'version': config.model.name,
      'loop': trainer.loop,
      'backend': jax.default_backend(),
      'device_kind': jax.devices()[0].device_kind,
      'device_count': jax.device_count(),
      'batch_size': batch_size,
      'compile_seconds': compile_seconds,
      'train_steps_per_second': steps_per_second,
      'train_examples_per_second': examples_per_second,
      'eval_examples_per_second': num_test_examples / eval_seconds,
      'epoch_seconds': data.NUM_TRAIN_EXAMPLES[config.data.name] / examples_per_second,
      'model_flops_per_example': flops_per_example,
      'achieved_flops_per_second': achieved,
      'peak_flops_per_second': peak_flops,
      'flops_utilization': achieved / peak_flops,
  }


def format_table(rows: List[Dict[str, Any]]) -> str:
  """A Markdown table of the rows, numbers rounded for reading."""

  def cell(value):
    if isinstance(value, float):
      return f'{value:.3g}' if abs(value) < 1000 else f'{value:,.0f}'
    return str(value)

  return console.markdown_table(COLUMNS, [[cell(row[column]) for column in COLUMNS]
                                           for row in rows])


# The instruction-set extensions that decide how fast XLA:CPU's kernels run, as
# /proc/cpuinfo names them, most capable first.
def batch_sizes(config: ml_collections.ConfigDict) -> List[int]:
  return list(config.bench.batch_sizes) or [config.batch_size]


def run_bench(config: ml_collections.ConfigDict, workdir: str) -> List[Dict[str, Any]]:
  """Measures each of the config's benchmark batch sizes; writes workdir/bench.json."""
  config_checks.validate(config)
  peak = peak_flops_per_second(config.bench.repetitions)
  rows = []
  for batch_size in batch_sizes(config):
    logging.info('Benchmarking %s (%s loop) at batch %d.', config.model.name,
                 train_loops.config_loop(config), batch_size)
    rows.append(measure(config, batch_size, peak))
  if multihost.is_primary():
    os.makedirs(workdir, exist_ok=True)
    run_files.write_atomically(os.path.join(workdir, 'bench.json'),
                               json.dumps(rows, indent=2).encode())
    print(f'{config.model.name} on {host.describe()}:')
    print(format_table(rows))
  return rows
