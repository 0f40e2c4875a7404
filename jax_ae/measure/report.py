"""`--mode=report`: several runs side by side, as a section of RESULTS.md and a picture.

Reads each autoencoder's eval.json (written by `--mode=evaluate`), its config.json and
its model, and each classifier's last metrics.jsonl row; writes into the output folder
a table with one row per autoencoder, one with one row per classifier, and a picture of
the same test images, one per class, reconstructed by every autoencoder.

RESULTS.md holds several such sections, each named by `--table` (default 'results')
and marked by a comment line before and after it: a report rewrites its own section
(or appends it) and leaves every other byte of the file as it was, the text written
by hand between sections included. Within its section it updates the rows of the runs
it is given and keeps every other row as the page has it, in place: a row is a run's
(its table's first column, `run`: the name of its workdir, as `--runs` names it), so
reporting one new run adds one row. A run given that the table lacks is appended to
its table, in --runs order. Its picture is `<table>.png`.
"""

import dataclasses
import glob
import json
import os
import re
from typing import Any, Dict, List, Sequence, Tuple

from absl import logging
import numpy as np

from jax_ae.datasets import data
from jax_ae.errors import UserError
from jax_ae.figures import plots
from jax_ae.measure import evaluate
from jax_ae.measure import records
from jax_ae.models import tasks
from jax_ae.workdir import console
from jax_ae.workdir import run_files
from jax_ae.workdir import trained

RESULTS_FILE = 'RESULTS.md'
DEFAULT_TABLE = 'results'  # its picture is results.png
COLUMNS = (('run', '{}'), ('version', '{}'), ('dataset', '{}'), ('code_dim', '{}'),
           ('epochs', '{}'), ('val_mse', '{:.3g}'), ('test_mse', '{:.3g}'),
           ('sse_per_image', '{:.2f}'), ('ratio_to_pca', '{:.2f}'), ('class_fidelity', '{:.4f}'),
           ('probe_accuracy', '{:.4f}'), ('train_seconds', '{:.0f}'))
CLASSIFIER_COLUMNS = (('run', '{}'), ('dataset', '{}'), ('epochs', '{}'), ('weights', '{}'),
                      ('val_accuracy', '{:.4f}'), ('test_accuracy', '{:.4f}'))


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


def is_classifier(workdir: str) -> bool:
  """Whether `workdir` holds a classifier's run, whose figures are in its metrics.jsonl."""
  if not os.path.exists(os.path.join(workdir, run_files.CONFIG_FILE)):
    return False
  return tasks.get(run_files.load_run_config(workdir).task) is tasks.CLASSIFY


def evaluated(workdirs: Sequence[str], required: bool = True) -> List[str]:
  """The workdirs that hold an eval.json; one warning line for each of the others.

  With `required`, fails only when none has one: a glob such as 'runs/*' also matches
  runs never evaluated and unfinished runs.
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
  if required and not kept:
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


def read_classifier_rows(workdirs: Sequence[str]) -> List[Dict[str, Any]]:
  """Each classifier's last metrics.jsonl row: epochs, the weights its test split measured
  ('raw', or 'ema' where validation chose the moving average), their val_accuracy (None
  without a validation split) and test_accuracy."""
  rows = []
  for workdir in workdirs:
    metrics = run_files.RunFiles(workdir, writes=False).read_metrics()
    if not metrics:
      raise UserError(f'{workdir!r} holds a classifier that finished no epoch; train it first.')
    last = metrics[-1]
    weights = last.get('test_weights', 'raw')
    rows.append({'run': os.path.basename(os.path.normpath(workdir)),
                 'dataset': run_files.load_run_config(workdir).data.name,
                 'epochs': len(metrics), 'weights': weights,
                 'val_accuracy': last.get('val_ema_accuracy' if weights == 'ema'
                                          else 'val_accuracy'),
                 'test_accuracy': last.get('test_accuracy')})
  return rows


def seed_choices(workdirs: Sequence[str], rows: Sequence[Dict[str, Any]], figure: str,
                 higher_is_better: bool) -> List[str]:
  """One line for each config run with several seeds, naming the run chosen on validation.

  Runs are of one config when their config.json agree on every field but `seed`. The
  one with the best `figure` (val_mse, val_accuracy) is the run a record claims:
  chosen on validation, never on the test figures beside it. A config whose runs do not
  all have the figure (no validation split) gets no line.
  """
  groups = {}
  for workdir, row in zip(workdirs, rows):
    config = json.loads(run_files.load_run_config(workdir).to_json())
    del config['seed']
    groups.setdefault(json.dumps(config, sort_keys=True), []).append(row)
  lines = []
  for runs in groups.values():
    if len(runs) < 2 or any(run.get(figure) is None or np.isnan(run[figure]) for run in runs):
      continue
    best = (max if higher_is_better else min)(runs, key=lambda run: run[figure])
    lines.append(f'Seeds of one config, chosen on {figure}: **{best["run"]}** '
                 f'({best[figure]:.4g}) of {", ".join(run["run"] for run in runs)}.\n')
  return lines


def results_markdown(rows: Sequence[Dict[str, Any]], columns=COLUMNS) -> str:
  """One row per run; test figures on the test split, ratio_to_pca < 1 beats PCA.

  val_mse is on the validation split the run held out (null for runs without one).
  """
  return console.markdown_table(
      [name for name, _ in columns],
      [['null' if row.get(name) is None else form.format(row[name]) for name, form in columns]
       for row in rows]) + '\n'


def keyed_lines(rows: Sequence[Dict[str, Any]], columns) -> List[Tuple[str, str]]:
  """(run, its Markdown row) for each of `rows`, as `results_markdown` writes them."""
  table_lines = results_markdown(rows, columns).splitlines()[2:]
  return [(row['run'], line) for row, line in zip(rows, table_lines)]


def section_markers(table: str) -> Tuple[str, str]:
  """The comment lines around a report's section of RESULTS.md."""
  return (f'<!-- --mode=report --table={table}: begin (rewritten by the command below) -->',
          f'<!-- --mode=report --table={table}: end -->')


def section_span(text: str, table: str, path: str) -> Tuple[int, int]:
  """Where the section of `table` lies in `text`, from its begin marker to the end of its
  end marker; (-1, -1) where `text` has none."""
  begin, end = section_markers(table)
  start = text.find(begin)
  if start < 0:
    return -1, -1
  stop = text.find(end, start)
  if stop < 0:
    line_number = text.count('\n', 0, start) + 1
    raise UserError(f'{path}:{line_number}: the section --table={table} begins here but never '
                    f'ends; put back its last line, {end}')
  return start, stop + len(end)


def replace_section(text: str, table: str, section: str, path: str = RESULTS_FILE) -> str:
  """`text` (RESULTS.md) with the section of `table` replaced by `section`, or with
  `section` appended where it has none yet; every other byte unchanged."""
  start, stop = section_span(text, table, path)
  if start < 0:
    return text.rstrip('\n') + '\n\n' + section + '\n'
  return text[:start] + section + text[stop:]


_CHOICE = re.compile(r'Seeds of one config, chosen on \w+: \*\*[^*]+\*\* \(.*\) of (.+)\.$')
_SEPARATOR = re.compile(r'\|(\s*:?-+:?\s*\|)+')


def choice_runs(line: str) -> List[str]:
  """The runs a `seed_choices` line compares; [] for any other line."""
  match = _CHOICE.match(line.strip())
  return match.group(1).split(', ') if match else []


@dataclasses.dataclass
class PageSection:
  """What a section of RESULTS.md holds that a report keeps: each table's rows as
  (run, line), the records table's as (config, line), the `seed_choices` lines, and the
  workdir its command named for each run."""
  autoencoders: List[Tuple[str, str]] = dataclasses.field(default_factory=list)
  classifiers: List[Tuple[str, str]] = dataclasses.field(default_factory=list)
  records: List[Tuple[str, str]] = dataclasses.field(default_factory=list)  # (config, line)
  choices: List[str] = dataclasses.field(default_factory=list)
  workdirs: Dict[str, str] = dataclasses.field(default_factory=dict)


def read_section(text: str, table: str, path: str) -> PageSection:
  """The rows, seed choices and workdirs of the section of `table` in `text` (RESULTS.md,
  read from `path`); empty where it has none. A table the report cannot read back is a
  UserError that names its line."""
  page = PageSection()
  start, stop = section_span(text, table, path)
  if start < 0:
    return page
  first_number = text.count('\n', 0, start) + 1
  headers = {tuple(name for name, _ in COLUMNS): page.autoencoders,
             tuple(name for name, _ in CLASSIFIER_COLUMNS): page.classifiers,
             tuple(name for name, _ in records.COLUMNS): page.records}
  seen = set()
  rows, header_number, header = None, 0, ()
  for number, line in enumerate(text[start:stop].splitlines(), start=first_number):
    where = f'{path}:{number}'
    if line.startswith('`python main.py --mode=report'):
      runs = re.search(r'--runs=(\S+?)[`\s]', line)
      for workdir in runs.group(1).split(',') if runs else ():
        page.workdirs[os.path.basename(os.path.normpath(workdir))] = workdir
    elif not line.startswith('|'):
      rows = None
      page.choices += [line + '\n'] if choice_runs(line) else []  # as seed_choices writes it
    elif rows is None:  # a table's header
      header = tuple(cell.strip() for cell in line.strip().strip('|').split('|'))
      if header not in headers:
        nearest = min(headers, key=lambda known: len(set(known) ^ set(header)))
        raise UserError(f'{where}: a table with the columns {" | ".join(header)}, which '
                        f'--mode=report does not write ({" | ".join(nearest)}); set its header '
                        f'back, or delete the section to start it afresh.')
      if header in seen:
        raise UserError(f'{where}: a second table with the same columns in --table={table}; '
                        f'join its rows to the first.')
      seen.add(header)
      rows, header_number = headers[header], number
    elif number == header_number + 1:
      if not _SEPARATOR.fullmatch(line.strip()):
        raise UserError(f'{where}: the line under the table\'s header should be '
                        f'{"|" + " --- |" * len(header)}')
    else:
      cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
      if len(cells) != len(header) or not cells[0]:
        raise UserError(f'{where}: a row of {len(cells)} cells under a header of '
                        f'{len(header)}, or without a run in its first; fix it or delete it.')
      if rows is page.records and cells[0] in [name for name, _ in rows]:
        raise UserError(f'{where}: a second row for the config {cells[0]!r}; delete one.')
      if rows is not page.records and cells[0] in [
          run for run, _ in page.autoencoders + page.classifiers]:
        raise UserError(f'{where}: a second row for the run {cells[0]!r}; delete one.')
      rows.append((cells[0], line))
  return page


def merge_rows(page_rows: Sequence[Tuple[str, str]], fresh_rows: Sequence[Tuple[str, str]],
               reported: Sequence[str]) -> Tuple[List[Tuple[str, str]], List[str]]:
  """A table's rows after a report, and the runs of those kept from the page.

  Each page row stays where it is: as the page has it, or replaced by the fresh row of
  its run; a row whose run was `reported` into the other table (an autoencoder's run
  directory now holding a classifier) leaves this one. Fresh rows the page lacks follow,
  in the order given.
  """
  fresh = dict(fresh_rows)
  merged, kept = [], []
  for run, line in page_rows:
    if run in fresh:
      merged.append((run, fresh.pop(run)))
    elif run not in reported:
      merged.append((run, line))
      kept.append(run)
  return merged + [(run, line) for run, line in fresh_rows if run in fresh], kept


def merge_choices(page_choices: Sequence[str], fresh_choices: Sequence[str],
                  reported: Sequence[str]) -> List[str]:
  """The `seed_choices` lines after a report: each page line stays where it is, or is
  replaced by the fresh line that compares any of its runs; the other fresh lines follow.

  A page line whose runs were reported but compared by no fresh line (one seed of a
  config reported alone) is kept as it was, with a warning: only its runs together can
  choose again.
  """
  fresh = list(fresh_choices)
  merged = []
  for line in page_choices:
    runs = set(choice_runs(line))
    replacing = [fresh_line for fresh_line in fresh if runs & set(choice_runs(fresh_line))]
    if replacing:
      merged.append(replacing[0])
      fresh.remove(replacing[0])
      continue
    merged.append(line)
    if runs & set(reported):
      logging.warning('kept "%s" as it was: report all of %s together to choose again.',
                      line.strip(), ', '.join(sorted(runs)))
  return merged + fresh


RECORDS_CAPTION = (
    'Records over seeds: each record config\'s runs, one per seed, averaged (docs/records.md); '
    'max_minutes is the slowest seed\'s training command to its last epoch, data '
    'preparation included; reached says which targets of its record.* fields the means miss.\n')


def section_text(table: str, runs: Sequence[str], output_dir: str,
                 rows: Sequence[Tuple[str, str]],
                 classifier_rows: Sequence[Tuple[str, str]],
                 choices: Sequence[str] = (),
                 record_rows: Sequence[Tuple[str, str]] = ()) -> str:
  """The section of RESULTS.md a report writes: its markers, the command that writes
  it, the autoencoders' table, the classifiers' and the records table over seeds (each
  where it has rows, as (run or config, line)), and the seed chosen on validation of
  each config run with several (`seed_choices`)."""
  table_flag = '' if table == DEFAULT_TABLE else f' --table={table}'
  begin, end = section_markers(table)
  wrote = f'this section and {table}.png' if rows else 'this section'
  parts = [begin,
           f'`python main.py --mode=report --runs={",".join(runs)} --workdir={output_dir}'
           f'{table_flag}` writes {wrote}; test figures on the test split of each run\'s '
           f'dataset, val_ figures on the validation split it held out (null without one).\n']
  if rows:
    parts.append(_table(rows, COLUMNS))
  if classifier_rows:
    parts.append('Classifiers, from the last epoch of each run\'s metrics.jsonl:\n')
    parts.append(_table(classifier_rows, CLASSIFIER_COLUMNS))
  if record_rows:
    parts.append(RECORDS_CAPTION)
    parts.append(_table(record_rows, records.COLUMNS))
  parts.extend(choices)
  parts.append(end)
  return '\n'.join(parts)


def _table(rows: Sequence[Tuple[str, str]], columns) -> str:
  """A Markdown table of `columns` whose rows are the lines of `rows` (run, line)."""
  header = console.markdown_table([name for name, _ in columns], [])
  return '\n'.join([header] + [line for _, line in rows]) + '\n'


def write_report(workdirs: Sequence[str], output_dir: str,
                 table: str = DEFAULT_TABLE) -> List[Dict[str, Any]]:
  """The section `table` of RESULTS.md, and `<table>.png`, in `output_dir` from `workdirs`:
  the autoencoders that were evaluated and the classifiers, each a row of its table
  that replaces its run's row or is appended; the table's other rows stay as they were.

  The picture reconstructs test images with each run's model, which the page does not
  hold: it shows the autoencoders of `workdirs` only, and says how many rows it leaves out.
  """
  if not re.fullmatch(r'\w+', table):
    raise UserError(f'--table={table!r} must be a name of letters, digits and _, e.g. records.')
  classifiers = [workdir for workdir in workdirs if is_classifier(workdir)]
  others = [workdir for workdir in workdirs if workdir not in classifiers]
  autoencoders = evaluated(others, required=not classifiers) if others else []
  rows = read_evaluations(autoencoders)
  classifier_rows = read_classifier_rows(classifiers)
  reported = [row['run'] for row in rows + classifier_rows]
  repeated = sorted({run for run in reported if reported.count(run) > 1})
  if repeated:
    raise UserError(f'several --runs workdirs are named {", ".join(repeated)}: a table tells '
                    f'runs apart by their workdir\'s name, so give each run its own.')
  path = os.path.join(output_dir, RESULTS_FILE)
  text = '# Results\n'
  if os.path.exists(path):
    with open(path, encoding='utf-8') as f:
      text = f.read()
  page = read_section(text, table, path)
  autoencoder_lines, kept_autoencoders = merge_rows(
      page.autoencoders, keyed_lines(rows, COLUMNS), reported)
  classifier_lines, kept_classifiers = merge_rows(
      page.classifiers, keyed_lines(classifier_rows, CLASSIFIER_COLUMNS), reported)
  given = {row['run']: workdir for row, workdir in zip(rows + classifier_rows,
                                                        autoencoders + classifiers)}
  workdir_of = {**page.workdirs, **given}
  runs = [workdir_of.get(run, run) for run, _ in autoencoder_lines + classifier_lines]
  fresh_records = records.markdown_lines(records.record_rows(
      list(zip(autoencoders, rows)) + list(zip(classifiers, classifier_rows))))
  record_lines, _ = merge_rows(page.records, fresh_records, ())
  choices = merge_choices(
      page.choices,
      seed_choices(autoencoders, rows, 'val_mse', higher_is_better=False) +
      seed_choices(classifiers, classifier_rows, 'val_accuracy', higher_is_better=True),
      reported)
  os.makedirs(output_dir, exist_ok=True)
  picture_name = f'{table}.png'
  if autoencoders:
    run_files.write_atomically(os.path.join(output_dir, picture_name), _picture(
        autoencoders, rows, len(kept_autoencoders)).png)
  section = section_text(table, runs, output_dir, autoencoder_lines, classifier_lines, choices,
                         record_lines)
  run_files.write_atomically(path, replace_section(text, table, section, path).encode())
  for shown_rows, columns in ((rows, COLUMNS), (classifier_rows, CLASSIFIER_COLUMNS)):
    if shown_rows:
      print(results_markdown(shown_rows, columns))
  if fresh_records:
    print(RECORDS_CAPTION + _table(fresh_records, records.COLUMNS))
  for line in choices:
    print(line)
  kept = kept_autoencoders + kept_classifiers
  if kept:
    not_drawn = (f'; {picture_name} draws only the runs given (it needs each run\'s model)'
                 if autoencoders and kept_autoencoders else '')
    print(f'kept {len(kept)} rows from {path} that no --runs workdir gave: '
          f'{", ".join(kept)}{not_drawn}')
  return rows + classifier_rows


def _picture(workdirs: Sequence[str], rows: Sequence[Dict[str, Any]], not_drawn: int = 0):
  """One test image per class, reconstructed by each run (grouped by dataset); the
  caption counts the `not_drawn` rows of the table that came from the page, not a run."""
  shown = {}  # per dataset: one test image of each class
  picture_rows = {}  # per dataset: its originals, then each run's reconstructions
  for workdir, row in zip(workdirs, rows):
    config = run_files.load_run_config(workdir)
    name = config.data.name
    if name not in shown:
      shown[name] = plots.pick_examples(data.load_dataset(config.data)['test'],
                                        len(data.CLASS_NAMES[name]))
      picture_rows[name] = [(f'{name} original', shown[name]['image'])]
    # The weights its eval.json measured: the moving average where it chose that.
    model, variables = trained.load_trained_model(
        config, workdir, trained.MODEL_FILES[row.get('weights', 'raw')])
    picture_rows[name].append((f'{row["run"]}\ntest MSE {row["test_mse"]:.3g}',
                               np.asarray(model.apply(variables, shown[name]['image'],
                                                      train=False))))
  return plots.results_png(
      [row for rows_of_dataset in picture_rows.values() for row in rows_of_dataset],
      f'one test image per class, reconstructed by each of {len(rows)} runs '
      f'(RESULTS.md has their figures' +
      (f' and {not_drawn} more rows, not drawn)' if not_drawn else ')'))
