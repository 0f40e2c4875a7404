"""Benchmarks jax-ae on its own and against its peers, and writes BENCHMARKS.md.

    python -m benchmarks.bench_all [--output=BENCHMARKS.md] [--alternations=5]

First jax-ae's own rows (`--mode=bench`, with FLOPs and the machine's measured float32
matrix-product peak): each notebook version at batch 32 with both train loops, V3 at
batch 256 and 1024, two conv networks from the record attempts
(configs/attempts/mnist10.py, cnn_fashion_wide.py; neither is a record) at their batch
of 64, and the two dense records as their configs train them (configs/mnist10_dense_gelu.py,
hinton2006_decay.py) at batch 128.

Then the peers, side by side: the notebook versions at batch 32 against Keras 3 on the
JAX backend (`model.fit`, steps_per_execution=100; benchmarks/keras_reference.py) and
PyTorch eager; the two conv networks at batch 64 against PyTorch eager, channels_last and
torch.compile (benchmarks/torch_reference.py); the dense records against the same step in
PyTorch, eager and compiled (benchmarks/torch_dense_records.py). Every figure is measured in a fresh
process (benchmarks/peer.py): a process's rate on this kind of VM moves by up to 2x
from one start to the next. The peers alternate in `--alternations` rounds, each
network's figures one after the other (the order rotated each round), and the table
gives each peer's median and range over the rounds, and jax-ae's ratio to it: the median
and range of the rounds' ratios, so a slow spell that hits a whole round cancels out.
"""

import datetime
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
from typing import Dict, List, Optional, Tuple

from absl import app
from absl import flags
from absl import logging

from benchmarks import keras_reference
from benchmarks import torch_dense_records
from benchmarks import torch_reference
from jax_ae.measure import bench
from jax_ae.models import networks
from jax_ae.runtime import host
from jax_ae.workdir import run_files

flags.DEFINE_string('output', 'BENCHMARKS.md', 'Markdown file to write.')
flags.DEFINE_integer('repetitions', 5, 'Timed runs per figure; the median is reported.')
flags.DEFINE_integer('alternations', 5, 'Rounds of the side-by-side peer measurements.')
flags.DEFINE_list('networks', [*networks.VERSIONS, *torch_reference.RECORD_NETWORKS,
                               *torch_dense_records.DENSE_RECORDS],
                  'Networks to measure: notebook versions, conv networks from the record '
                  'attempts, and the dense records\' configs.')
FLAGS = flags.FLAGS

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

VERSIONS = networks.VERSIONS
RECORD_BATCH_SIZE = 64
# (framework, setting) of each peer column, and its heading.
PEERS = {('jax-ae', 'auto'): 'jax-ae (loop)', ('keras', '100'): 'Keras spe=100',
         ('torch', 'eager'): 'PyTorch eager', ('torch', 'channels_last'): 'PyTorch channels_last',
         ('torch', 'compile'): 'torch.compile'}


def peers_of(network: str) -> List[Tuple[str, str]]:
  """The peers a network is measured against: convolutions get PyTorch's conv settings,
  the dense records PyTorch eager and torch.compile."""
  if network in torch_dense_records.DENSE_RECORDS:
    return [('jax-ae', 'auto'), ('keras', '100'), ('torch', 'eager'), ('torch', 'compile')]
  if network in torch_reference.RECORD_NETWORKS:
    return [('jax-ae', 'auto'), *((framework, setting) for framework, setting in PEERS
                                  if framework == 'torch')]
  return [('jax-ae', 'auto'), ('keras', '100'), ('torch', 'eager')]


def batch_size_of(network: str) -> int:
  if network in torch_dense_records.DENSE_RECORDS:  # the batch their configs train at
    return torch_dense_records.DENSE_RECORDS[network]['batch_size']
  return RECORD_BATCH_SIZE if network in torch_reference.RECORD_NETWORKS else 32


def steps_of(network: str) -> int:
  """Steps per timed run: fewer for the conv networks and the dense records, whose steps
  are the slowest."""
  if network in torch_dense_records.DENSE_RECORDS:
    return 50
  return 30 if network in torch_reference.RECORD_NETWORKS else 200


def _config(version: str, loop: str, repetitions: int):
  config = torch_reference.network_config(version)
  config.train.loop = loop
  config.bench.repetitions = repetitions
  return config


def _in_fresh_process(function, *args):
  """function(*args) in a new Python process (spawned, so nothing is inherited)."""
  with multiprocessing.get_context('spawn').Pool(1) as pool:
    return pool.apply(function, args)


def _torch_version() -> str:
  try:
    import torch  # pylint: disable=g-import-not-at-top
  except ImportError:
    return 'not installed (pip install -e ".[twin]")'
  return f'{torch.__version__} ({torch.get_num_threads()} threads)'


def _measure(version: str, loop: str, batch_size: int, peak: float, repetitions: int):
  return bench.measure(_config(version, loop, repetitions), batch_size, peak)


def peer_steps_per_second(framework: str, setting: str, network: str,
                          repetitions: int) -> Optional[float]:
  """One figure from `python -m benchmarks.peer` in a new process; None if a peer fails.

  A peer that cannot run here (torch.compile without a C++ compiler, a framework not
  installed) is reported and left out of the table; jax-ae's own failure is an error.
  """
  command = [sys.executable, '-m', 'benchmarks.peer', framework, network, setting,
             str(batch_size_of(network)), str(steps_of(network)), str(repetitions)]
  result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
  if result.returncode != 0:
    last_line = (result.stderr.strip().splitlines() or ['no output'])[-1]
    if framework == 'jax-ae':
      raise RuntimeError(f'{" ".join(command)} failed: {last_line}')
    logging.warning('%s %s on %s did not run: %s', framework, setting, network, last_line)
    return None
  return json.loads(result.stdout.strip().splitlines()[-1])['steps_per_second']


def _peer_rounds(networks: List[str], repetitions: int,
                 alternations: int) -> Dict[str, List[Dict[Tuple[str, str], float]]]:
  """{network: one {peer: steps/s} per round}, each figure from a fresh process."""
  rounds = {network: [] for network in networks}
  for round_index in range(alternations):
    for network in networks:
      peers = peers_of(network)
      shift = round_index % len(peers)
      figures = {}
      for peer in peers[shift:] + peers[:shift]:
        rate = peer_steps_per_second(*peer, network, repetitions)
        if rate is not None:
          figures[peer] = rate
      logging.info('round %d, %s: %s', round_index + 1, network,
                   {PEERS[peer]: round(rate, 2) for peer, rate in figures.items()})
      rounds[network].append(figures)
  return rounds


def _spread(values: List[float], digits: int) -> str:
  """'median (min-max)' of the values, or 'n/a'."""
  if not values:
    return 'n/a'
  number = (lambda v: f'{v:,.{digits}f}')
  if len(values) == 1:
    return number(values[0])
  return f'{number(statistics.median(values))} ({number(min(values))}-{number(max(values))})'


def _rate_digits(values: List[float]) -> int:
  return 0 if values and statistics.median(values) >= 100 else 1


def format_peers(rounds: Dict[str, List[Dict[Tuple[str, str], float]]]) -> str:
  """The peer table: per network each peer's median (range), and jax-ae's median ratios.

  A ratio is taken within each round (jax-ae's figure over the peer's of the same round),
  then summarised. 'fastest PyTorch' is the PyTorch setting with the highest median.
  """
  ours = ('jax-ae', 'auto')
  columns = [peer for peer in PEERS if peer != ours]
  lines = ['| network | batch | jax-ae | ' + ' | '.join(PEERS[peer] for peer in columns)
           + ' | jax-ae / Keras spe=100 | jax-ae / fastest PyTorch |',
           '|' + ' --- |' * (len(columns) + 5)]

  def rates(network, peer):
    return [figures[peer] for figures in rounds[network] if peer in figures]

  def ratios(network, peer):
    return [figures[ours] / figures[peer] for figures in rounds[network]
            if peer in figures and ours in figures]

  for network in rounds:
    cells = [network, str(batch_size_of(network)),
             _spread(rates(network, ours), _rate_digits(rates(network, ours)))]
    cells += [_spread(rates(network, peer), _rate_digits(rates(network, peer)))
              for peer in columns]
    cells.append(_spread(ratios(network, ('keras', '100')), 2))
    torch_peers = [peer for peer in columns if peer[0] == 'torch' and rates(network, peer)]
    if torch_peers:
      fastest = max(torch_peers, key=lambda peer: statistics.median(rates(network, peer)))
      cells.append(f'{_spread(ratios(network, fastest), 2)} vs {fastest[1]}')
    else:
      cells.append('n/a')
    lines.append('| ' + ' | '.join(cells) + ' |')
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
  networks = FLAGS.networks
  known = [*VERSIONS, *torch_reference.RECORD_NETWORKS, *torch_dense_records.DENSE_RECORDS]
  unknown = sorted(set(networks) - set(known))
  if unknown:
    raise app.UsageError(f'--networks: no such network {unknown}; choose from {known}')
  peak = _in_fresh_process(bench.peak_flops_per_second, reps)
  rows = [_in_fresh_process(_measure, version, loop, 32, peak, reps)
          for version in VERSIONS if version in networks for loop in ('python', 'scan')]
  if 'v3' in networks:
    rows += [_in_fresh_process(_measure, 'v3', 'scan', batch_size, peak, reps)
             for batch_size in (256, 1024)]
  for network in [*torch_reference.RECORD_NETWORKS, *torch_dense_records.DENSE_RECORDS]:
    if network in networks:  # named by its config: its model's name (conv_ae, cnn) is shared
      rows.append({**_in_fresh_process(_measure, network, 'auto', batch_size_of(network), peak,
                                       reps), 'version': network})
  sections = [
      '# Benchmarks',
      f'Measured {datetime.date.today()} on {host.describe()} with `python -m benchmarks.bench_all`.',
      'What each speed change bought, measured, and the leads that bought nothing: '
      '[docs/performance.md](docs/performance.md).',
      'Synthetic data of MNIST\'s shape; medians of timed runs after warm-up; compilation '
      'timed separately. `epoch_seconds` is one 60,000-image epoch at that rate. FLOPs are '
      'those of the dense and convolution layers, forward and backward, per example; the peak '
      'is the fastest square float32 matrix product (sizes 1024 to 4096; 4096 to 16384 on '
      'accelerators) on one device in the same run, times the device count.',
      bench.format_table(rows),
  ]
  sections += [
      f'{PEERS_HEADING}: Keras {keras_reference.version()} on JAX, PyTorch {_torch_version()}',
      f'Train steps per second on synthetic 28x28 data, Adam, each figure from a fresh '
      f'process; {FLAGS.alternations} rounds, each cell "median (lowest-highest)" over them, '
      'and jax-ae\'s ratio to a peer the median (range) of the rounds\' ratios. jax-ae: its '
      '`--mode=bench` step for the config (the python loop for the conv networks, the scan '
      'loop for the others). Notebook versions at batch 32, MSE, against Keras `model.fit` '
      '(steps_per_execution=100) and the notebook\'s PyTorch loop; two conv networks from '
      'the record attempts at batch 64 (mnist10: MSE; cnn_fashion_wide: cross-entropy, '
      'jax-ae also shifting and flipping each batch) against PyTorch eager in NCHW, in '
      'channels_last, and torch.compile on channels_last; the dense records\' configs '
      '(mnist10_dense_gelu, hinton2006_decay) at their batch of 128 as they train, shifts, '
      'AdamW, schedule and moving average included, against the same step in PyTorch '
      '(benchmarks/torch_dense_records.py), eager and under torch.compile, and in Keras '
      '(`model.fit`, steps_per_execution=100) without the moving average, which Keras '
      '3.15 fails to keep for these models on JAX (benchmarks/keras_reference.py).',
      format_peers(_peer_rounds(networks, reps, FLAGS.alternations))]
  if os.path.exists(FLAGS.output):
    with open(FLAGS.output, encoding='utf-8') as previous:
      sections += previous_peers(previous.read())
  run_files.write_atomically(FLAGS.output, ('\n\n'.join(sections) + '\n').encode())
  print('\n\n'.join(sections))


if __name__ == '__main__':
  app.run(main)
