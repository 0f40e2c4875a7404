"""Benchmarks every version with both train loops and writes BENCHMARKS.md.

    python -m benchmarks.bench_all [--output=BENCHMARKS.md]

Rows: each version at batch 32 (the notebook's) with the python and the scan loop, V3
at batch 256 and 1024. Then the peers, side by side at batch 32: jax-ae's own loop,
Keras 3 on the JAX backend (`model.fit`, steps_per_execution 1 and 100;
benchmarks/keras_reference.py) and, where torch is installed, PyTorch eager
(benchmarks/torch_reference.py). The peers are measured in `--alternations` rounds, each
version's four figures one after the other, so a slow spell of the machine shows in
every column of its round rather than in one framework's figures.

Each figure is measured in a fresh process: in one long process, memory left by earlier
measurements made later ones on the CPU up to 2.7x slower, at random.
"""

import datetime
import importlib.util
import multiprocessing
import os
import platform

from typing import Dict, List

from absl import app
from absl import flags
import jax

from benchmarks import keras_reference
from jax_ae import bench
from jax_ae import models
from jax_ae import run_files

flags.DEFINE_string('output', 'BENCHMARKS.md', 'Markdown file to write.')
flags.DEFINE_integer('repetitions', 5, 'Timed runs per figure; the median is reported.')
flags.DEFINE_integer('alternations', 2, 'Rounds of the side-by-side peer measurements.')
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


def _torch_version() -> str:
  import torch  # pylint: disable=g-import-not-at-top
  return f'{torch.__version__} ({torch.get_num_threads()} threads)'


def _measure(version: str, loop: str, batch_size: int, peak: float, repetitions: int):
  return bench.measure(_config(version, loop, repetitions), batch_size, peak)


def _torch_steps_per_second(version: str, repetitions: int) -> float:
  from benchmarks import torch_reference  # pylint: disable=g-import-not-at-top
  return torch_reference.torch_steps_per_second(version, 32, 200, repetitions)


def _keras_steps_per_second(version: str, repetitions: int, steps_per_execution: int) -> float:
  return keras_reference.keras_steps_per_second(version, 32, 200, repetitions,
                                                steps_per_execution)


def _has_torch() -> bool:
  return importlib.util.find_spec('torch') is not None


def _has_keras() -> bool:
  return importlib.util.find_spec('keras') is not None


def _peer_rounds(repetitions: int, alternations: int) -> Dict[str, List[Dict[str, float]]]:
  """{version: one dict of steps/s per round}: jax-ae, Keras spe=1 and 100, PyTorch."""
  rounds = {version: [] for version in VERSIONS}
  for _ in range(alternations):
    for version in VERSIONS:
      ours = _in_fresh_process(_measure, version, 'auto', 32, float('nan'), repetitions)
      figures = {'jax-ae': ours['train_steps_per_second'], 'loop': ours['loop']}
      for spe in keras_reference.STEPS_PER_EXECUTION if _has_keras() else ():
        figures[f'keras_spe{spe}'] = _in_fresh_process(_keras_steps_per_second, version,
                                                       repetitions, spe)
      if _has_torch():
        figures['torch'] = _in_fresh_process(_torch_steps_per_second, version, repetitions)
      rounds[version].append(figures)
  return rounds


def format_peers(rounds: Dict[str, List[Dict[str, float]]]) -> str:
  """The peer table: each cell its rounds' figures, 'round 1 / round 2'."""

  def cell(version, name):
    return ' / '.join(f'{r[name]:,.0f}' if name in r else 'n/a'
                      for r in rounds[version])

  def ratio(version, name):
    return ' / '.join(f'{r["jax-ae"] / r[name]:.2f}' if name in r else 'n/a'
                      for r in rounds[version])

  spe = keras_reference.STEPS_PER_EXECUTION
  lines = ['| version | jax-ae (loop) | ' + ' | '.join(f'Keras spe={s}' for s in spe)
           + ' | PyTorch eager | jax-ae / Keras spe=' + str(spe[-1]) + ' | jax-ae / PyTorch |',
           '|' + ' --- |' * (5 + len(spe))]
  for version in rounds:
    lines.append(f'| {version} | {cell(version, "jax-ae")} ({rounds[version][0]["loop"]}) | '
                 + ' | '.join(cell(version, f'keras_spe{s}') for s in spe)
                 + f' | {cell(version, "torch")} | {ratio(version, f"keras_spe{spe[-1]}")} | '
                 f'{ratio(version, "torch")} |')
  return '\n'.join(lines)


PEERS_HEADING = '## Against the peers'
PREVIOUS_HEADING = '## The previous run against the peers'


def previous_peers(markdown: str) -> List[str]:
  """The peer section of an earlier BENCHMARKS.md, retitled, with the date it was measured.

  A run keeps the one before it beside its own figures: on this machine the rates move
  between runs, so two runs say more than one. [] when `markdown` has no peer section.
  """
  lines = markdown.splitlines()
  starts = [i for i, line in enumerate(lines) if line.startswith(PEERS_HEADING)]
  if not starts:
    return []
  end = next((i for i in range(starts[0] + 1, len(lines)) if lines[i].startswith('## ')),
             len(lines))
  measured = next((line for line in lines if line.startswith('Measured ')), '')
  body = '\n'.join(lines[starts[0] + 1:end]).strip()
  return [f'{PREVIOUS_HEADING}{lines[starts[0]][len(PEERS_HEADING):]}',
          f'{measured.rstrip(".")}: the run before the one above.\n\n{body}']


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
  peers = ', '.join(([f'Keras {keras_reference.version()} on JAX'] if _has_keras() else [])
                    + ([f'PyTorch {_torch_version()} eager'] if _has_torch() else []))
  sections += [
      f'{PEERS_HEADING}: {peers}',
      f'Batch 32, Adam 1e-3, MSE, synthetic 28x28 data, train steps per second; '
      f'{FLAGS.alternations} rounds, each cell "round 1 / round 2 ...". jax-ae: its '
      '`--mode=bench` loop for the version; Keras: `model.fit` after a warm-up fit, '
      '`steps_per_execution` 1 (fit\'s default) and 100; PyTorch: the notebook\'s eager '
      'loop. Each figure in a fresh process.',
      format_peers(_peer_rounds(reps, FLAGS.alternations))]
  if not _has_torch():
    sections.append('PyTorch is not installed here: `pip install -e ".[twin]"` adds its column.')
  if not _has_keras():
    sections.append('Keras is not installed here (TensorFlow brings it): its columns are n/a.')
  if os.path.exists(FLAGS.output):
    with open(FLAGS.output, encoding='utf-8') as previous:
      sections += previous_peers(previous.read())
  run_files.write_atomically(FLAGS.output, ('\n\n'.join(sections) + '\n').encode())
  print('\n\n'.join(sections))


if __name__ == '__main__':
  app.run(main)
