"""`--mode=report`: several evaluated runs side by side, as RESULTS.md and results.png.

Reads each run's eval.json (written by `--mode=evaluate`), its config.json and its
model; writes into the output folder a table with one row per run and a picture of
the same test images, one per class, reconstructed by every run.
"""

import glob
import json
import os
from typing import Any, Dict, List, Sequence

from absl import logging
import numpy as np

from jax_ae import data
from jax_ae import evaluate
from jax_ae import plots
from jax_ae import run_files
from jax_ae.errors import UserError

RESULTS_FILE = 'RESULTS.md'
RESULTS_PICTURE = 'results.png'
COLUMNS = (('run', '{}'), ('version', '{}'), ('dataset', '{}'), ('code_dim', '{}'),
           ('epochs', '{}'), ('val_mse', '{:.3g}'), ('test_mse', '{:.3g}'),
           ('sse_per_image', '{:.2f}'), ('ratio_to_pca', '{:.2f}'), ('class_fidelity', '{:.4f}'),
           ('probe_accuracy', '{:.4f}'), ('train_seconds', '{:.0f}'))


def find_workdirs(patterns: Sequence[str]) -> List[str]:
  """Workdirs named by comma-separated paths or globs, in the order given, each once."""
  if not patterns:
    raise UserError("--mode=report needs the runs to compare, e.g. --runs='runs/*'.")
  workdirs = []
  for pattern in patterns:
    matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
    workdirs += [match for match in matches if match not in workdirs]
  if not workdirs:
    raise UserError(f'no workdir matches {",".join(patterns)!r}.')
  return workdirs


def evaluated(workdirs: Sequence[str]) -> List[str]:
  """The workdirs that hold an eval.json; one warning line for each of the others.

  Fails only when none has one: a glob such as 'runs/*' also matches runs never
  evaluated, classifiers and unfinished runs among them.
  """
  kept = []
  for workdir in workdirs:
    eval_path = os.path.join(workdir, evaluate.EVAL_FILE)
    if not os.path.isdir(workdir):
      logging.warning('%s not found: left out of the report.', workdir)
    elif os.path.exists(eval_path):
      kept.append(workdir)
      model_path = os.path.join(workdir, run_files.MODEL_FILE)
      if os.path.exists(model_path) and os.path.getmtime(model_path) > os.path.getmtime(eval_path):
        logging.warning('%s/%s is older than the model trained since; its figures are the '
                        'earlier model\'s (`python main.py --mode=evaluate --config=... '
                        '--workdir=%s` measures the new one).', workdir, evaluate.EVAL_FILE,
                        workdir)
    else:
      logging.warning('%s has no %s: left out of the report (`python main.py --mode=evaluate '
                      '--config=... --workdir=%s` measures it).', workdir, evaluate.EVAL_FILE,
                      workdir)
  if not kept:
    raise UserError(f'none of {", ".join(workdirs)} has an {evaluate.EVAL_FILE}; run `python '
                    f'main.py --mode=evaluate --config=... --workdir=W` in each first.')
  return kept


def read_evaluations(workdirs: Sequence[str]) -> List[Dict[str, Any]]:
  """Each workdir's eval.json plus its name."""
  rows = []
  for workdir in workdirs:
    with open(os.path.join(workdir, evaluate.EVAL_FILE)) as f:
      rows.append({'run': os.path.basename(os.path.normpath(workdir)), **json.load(f)})
  return rows


def results_markdown(rows: Sequence[Dict[str, Any]]) -> str:
  """One row per run; test figures on the test split, ratio_to_pca < 1 beats PCA.

  val_mse is on the validation split the run held out (null for runs without one).
  """
  lines = ['| ' + ' | '.join(name for name, _ in COLUMNS) + ' |',
           '|' + ' --- |' * len(COLUMNS)]
  for row in rows:
    lines.append('| ' + ' | '.join('null' if row.get(name) is None else form.format(row[name])
                                   for name, form in COLUMNS) + ' |')
  return '\n'.join(lines) + '\n'


def write_report(workdirs: Sequence[str], output_dir: str) -> List[Dict[str, Any]]:
  """RESULTS.md and results.png in `output_dir` from those of `workdirs` that were evaluated."""
  workdirs = evaluated(workdirs)
  rows = read_evaluations(workdirs)
  shown = {}  # per dataset: one test image of each class
  picture_rows = {}  # per dataset: its originals, then each run's reconstructions
  for workdir, row in zip(workdirs, rows):
    config = run_files.load_run_config(workdir)
    name = config.data.name
    if name not in shown:
      shown[name] = plots.pick_examples(data.load_dataset(config.data)['test'],
                                        len(data.CLASS_NAMES[name]))
      picture_rows[name] = [(f'{name} original', shown[name]['image'])]
    model, variables = evaluate.load_trained_model(config, workdir)
    picture_rows[name].append((f'{row["run"]}\ntest MSE {row["test_mse"]:.3g}',
                               np.asarray(model.apply(variables, shown[name]['image'],
                                                      train=False))))
  os.makedirs(output_dir, exist_ok=True)
  run_files.write_atomically(os.path.join(output_dir, RESULTS_FILE), (
      '# Results\n\nTest split of each run\'s dataset; `python main.py --mode=report '
      f'--runs={",".join(workdirs)} --workdir={output_dir}` regenerates this.\n\n'
      + results_markdown(rows)).encode())
  run_files.write_atomically(os.path.join(output_dir, RESULTS_PICTURE), plots.results_png(
      [row for rows_of_dataset in picture_rows.values() for row in rows_of_dataset],
      f'one test image per class, reconstructed by each of {len(rows)} runs '
      f'(RESULTS.md has their figures)').png)
  print(results_markdown(rows))
  return rows
