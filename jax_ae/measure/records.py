"""The records table of `--mode=report`: one row per record config, its seeds' figures averaged.

A record is claimed on the mean of several seeds (docs/records.md), each trained into
its own workdir by the same config with `--config.seed=N`. A config declares its claim
in its `record.*` fields (jax_ae/config/config_fields.py): the seeds the mean needs and
the targets it must reach. This module groups the reported runs by the config file
their training command named (sessions.jsonl), checks that they differ in nothing that
changes training but the seed, averages their figures and says whether the means, the
number of seeds and the slowest seed's time reach the targets.
"""

import math
import os
from typing import Any, Dict, List, Sequence, Tuple

import ml_collections
import numpy as np

from jax_ae.config import config_fields
from jax_ae.errors import UserError
from jax_ae.models import tasks
from jax_ae.workdir import run_files

COLUMNS = (('config', '{}'), ('dataset', '{}'), ('code_dim', '{}'), ('seeds', '{}'),
           ('test_mse', '{:.5f}'), ('class_fidelity', '{:.4f}'), ('sse_per_image', '{:.2f}'),
           ('test_accuracy', '{:.4f}'), ('max_minutes', '{:.1f}'), ('host', '{}'),
           ('reached', '{}'))
# Fields that seeds of one config may differ in: where the data lie, what is kept,
# drawn or measured beside training, and the seed itself.
BOOKKEEPING = ('seed', 'data.manual_dir', 'data.tfds_data_dir', 'restart', 'evaluate.',
               'record.', 'checkpoint_every_epochs', 'keep_checkpoints', 'num_reconstructions',
               'bench.', 'diagnostics.')
# (figure, its record.* target, whether the mean must be at most (True) or at least it)
TARGETS = (('test_mse', 'max_test_mse', True), ('class_fidelity', 'min_class_fidelity', False),
           ('sse_per_image', 'max_sse_per_image', True),
           ('test_accuracy', 'min_test_accuracy', False))


def config_name(workdir: str) -> str:
  """The config file the run's last training command named, without folder or '.py'
  ('' for a run trained through api.py, or before sessions.jsonl)."""
  sessions = run_files.RunFiles(workdir, writes=False).read_sessions()
  config_file = sessions[-1].get('config_file', '') if sessions else ''
  return os.path.splitext(os.path.basename(config_file))[0]


def _training_fields(config: ml_collections.ConfigDict) -> Dict[str, Any]:
  """The run's fields that change what it trains: all but BOOKKEEPING's."""
  return {field.name: config_fields.value_of(config, field.name)
          for field in config_fields.declared(config.model.name)
          if not field.name.startswith(BOOKKEEPING)}


def _minutes(workdir: str) -> float:
  """The run's wall time to its last epoch's metrics row, in minutes (NaN if unrecorded)."""
  rows = run_files.RunFiles(workdir, writes=False).read_metrics()
  seconds = rows[-1].get('wall_seconds', math.nan) if rows else math.nan
  return seconds / 60


def _reached(config: ml_collections.ConfigDict, seeds: Sequence[int],
             means: Dict[str, float], max_minutes: float) -> str:
  """'yes', or 'no: ' and every target the row misses."""
  record = config.record
  missed = []
  if len(seeds) < record.seeds:
    missed.append(f'{len(seeds)} of {record.seeds} seeds')
  for figure, target, at_most in TARGETS:
    bound = record[target]
    if bound:
      mean = means.get(figure, math.nan)
      if math.isnan(mean) or (mean > bound if at_most else mean < bound):
        missed.append(f'{figure} {"<=" if at_most else ">="} {bound:g}')
  if record.max_minutes and not max_minutes <= record.max_minutes:
    missed.append(f'{record.max_minutes:g} min')
  return 'yes' if not missed else 'no: ' + ', '.join(missed)


def record_rows(runs: Sequence[Tuple[str, Dict[str, Any]]]) -> List[Dict[str, Any]]:
  """One row per config with a record (`record.seeds` > 0) among `runs`, (workdir, its
  report row: eval.json's figures, or a classifier's test_accuracy), in the order its
  first run comes; runs of a config that differ in a training field are an error."""
  groups: Dict[str, List[Tuple[str, Dict[str, Any], ml_collections.ConfigDict]]] = {}
  for workdir, row in runs:
    config = run_files.load_run_config(workdir)
    if config.record.seeds > 0:
      name = config_name(workdir) or row['run']
      groups.setdefault(name, []).append((workdir, row, config))
  rows = []
  for name, members in groups.items():
    first_workdir, first_row, first = members[0]
    fields = _training_fields(first)
    for workdir, _, config in members[1:]:
      other = _training_fields(config)
      differing = sorted(key for key in fields.keys() | other.keys()
                         if fields.get(key) != other.get(key))
      if differing:
        raise UserError(f'{first_workdir} and {workdir} both come from {name} but differ in '
                        f'{", ".join(differing)}: seeds of one record differ only in --config.seed.')
    seeds = sorted(config.seed for _, _, config in members)
    means = {}
    for figure, _, _ in TARGETS:
      values = [row.get(figure) for _, row, _ in members]
      if all(value is not None for value in values):
        means[figure] = float(np.mean(values))
    minutes = [_minutes(workdir) for workdir, _, _ in members]
    max_minutes = math.nan if any(math.isnan(value) for value in minutes) else max(minutes)
    hosts = sorted({session.get('host', '') for workdir, _, _ in members
                    for session in run_files.RunFiles(workdir, writes=False).read_sessions()}
                   - {''})
    classifier = tasks.get(first.task) is tasks.CLASSIFY
    rows.append({'config': name, 'dataset': first.data.name,
                 'code_dim': '-' if classifier else first_row.get('code_dim'),
                 'seeds': ','.join(str(seed) for seed in seeds), **means,
                 'max_minutes': max_minutes, 'host': '; '.join(hosts) or '-',
                 'reached': _reached(first, seeds, means, max_minutes)})
  return rows


def markdown_lines(rows: Sequence[Dict[str, Any]]) -> List[Tuple[str, str]]:
  """(config, its Markdown table line) for each row; '-' where a figure does not apply."""
  lines = []
  for row in rows:
    cells = []
    for name, form in COLUMNS:
      value = row.get(name)
      missing = value is None or (isinstance(value, float) and math.isnan(value))
      cells.append('-' if missing else form.format(value))
    lines.append((row['config'], '| ' + ' | '.join(cells) + ' |'))
  return lines
