"""Benchmarks every version with both train loops and writes BENCHMARKS.md.

    python -m benchmarks.bench_all [--output=BENCHMARKS.md]

Rows: each version at batch 32 (the notebook's) with the python and the scan loop, V3
at batch 256 and 1024, and, where torch is installed, PyTorch eager side by side.

Each figure is measured in a fresh process: in one long process, memory left by earlier
measurements made later ones on the CPU up to 2.7x slower, at random.
"""

import datetime
import multiprocessing
import os
import platform

from absl import app
from absl import flags
import jax

from jax_ae import bench
from jax_ae import models
from jax_ae import run_files
from jax_ae import train_loops

flags.DEFINE_string('output', 'BENCHMARKS.md', 'Markdown file to write.')
flags.DEFINE_integer('repetitions', 5, 'Timed runs per figure; the median is reported.')
FLAGS = flags.FLAGS

VERSIONS = models.VERSIONS


def _config(version: str, loop: str, repetitions: int):
  config = bench.version_config(version)
  config.train.loop = loop
  config.bench.repetitions = repetitions
  return config


def _machine() -> str:
  device = jax.devices()[0]
  return (f'{platform.processor() or platform.machine()}, {os.cpu_count()} cores, '
          f'JAX {jax.__version__} on {jax.default_backend()} ({device.device_kind}, '
          f'{jax.device_count()} device(s))')


def _in_fresh_process(function, *args):
  """function(*args) in a new Python process (spawned, so nothing is inherited)."""
  with multiprocessing.get_context('spawn').Pool(1) as pool:
    return pool.apply(function, args)


def _measure(version: str, loop: str, batch_size: int, peak: float, repetitions: int):
  return bench.measure(_config(version, loop, repetitions), batch_size, peak)


def _torch_steps_per_second(version: str, repetitions: int) -> float:
  from benchmarks import torch_reference  # pylint: disable=g-import-not-at-top
  return torch_reference.torch_steps_per_second(version, 32, 200, repetitions)


def main(argv):
  del argv
  reps = FLAGS.repetitions
  peak = _in_fresh_process(bench.peak_flops_per_second, reps)
  rows = [_in_fresh_process(_measure, version, loop, 32, peak, reps)
          for version in VERSIONS for loop in ('python', 'scan')]
  rows += [_in_fresh_process(_measure, 'v3', 'scan', batch_size, peak, reps)
           for batch_size in (256, 1024)]
  sections = [
      '# Benchmarks',
      f'Measured {datetime.date.today()} on {_machine()} with `python -m benchmarks.bench_all`.',
      'Synthetic data of MNIST\'s shape; medians of timed runs after warm-up; compilation '
      'timed separately. `epoch_seconds` is one 60,000-image epoch at that rate. FLOPs are '
      'those of the dense and convolution layers, forward and backward, per example; the peak '
      'is the fastest square float32 matrix product (sizes 1024 to 4096; 4096 to 16384 on '
      'accelerators) on one device in the same run, times the device count.',
      bench.format_table(rows),
  ]
  try:
    from benchmarks import torch_reference  # pylint: disable=g-import-not-at-top
    import torch  # pylint: disable=g-import-not-at-top
    ours = {row['version']: row for row in rows if row['batch_size'] == 32
            and row['loop'] == train_loops.resolve('auto', row['version'])}
    comparison = []
    for version in VERSIONS:
      theirs = _in_fresh_process(_torch_steps_per_second, version, reps)
      steps = ours[version]['train_steps_per_second']
      comparison.append((version, theirs, steps, ours[version]['loop'], steps / theirs))
    sections += [f'## Against PyTorch {torch.__version__} eager ({torch.get_num_threads()} '
                 'threads), the notebook\'s framework',
                 torch_reference.format_rows(comparison, 32)]
  except ImportError:
    sections.append('PyTorch is not installed here: `pip install -e ".[twin]"` adds the '
                    'side-by-side comparison.')
  run_files.write_atomically(FLAGS.output, ('\n\n'.join(sections) + '\n').encode())
  print('\n\n'.join(sections))


if __name__ == '__main__':
  app.run(main)
