"""--mode=evaluate and --mode=report: measures against hand-computed values, and end to end."""

import json
import logging
import os
import re
import shutil

import flax
import jax
import numpy as np
import pytest

from jax_ae.datasets import data
from jax_ae.errors import UserError
from jax_ae.measure import evaluate
from jax_ae.measure import report
from jax_ae.models import networks
from jax_ae.training import train
from jax_ae.workdir import run_files
from jax_ae.workdir import trained
from tests import tfds_mock
from tests.helpers import MOCK_EXAMPLES, REPO_ROOT, tiny_config, tiny_ema_config


def test_probe_accuracy_of_separable_and_of_uninformative_codes(make_key):
  labels = np.arange(400) % 4
  # Codes that are one-hot labels plus small noise: a linear probe reads them perfectly.
  noise = np.asarray(jax.random.normal(make_key(), (400, 4))) * 0.05
  codes = np.eye(4)[labels] + noise
  assert evaluate.probe_accuracy(codes[:300], labels[:300], codes[300:], labels[300:]) == 1.0
  # Codes independent of the labels: no better than the most frequent class (0.25).
  random_codes = np.asarray(jax.random.normal(make_key(), (400, 4)))
  assert evaluate.probe_accuracy(random_codes[:300], labels[:300], random_codes[300:],
                                 labels[300:]) < 0.45


def test_per_class_table_by_hand():
  labels = np.array([0, 0, 1, 1, 1])
  errors = np.array([0.1, 0.3, 0.0, 0.0, 0.6])
  faithful = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
  table = evaluate.per_class_table(labels, errors, faithful, ('zero', 'one', 'two'))
  assert table == [
      {'class': 'zero', 'count': 2, 'test_mse': pytest.approx(0.2), 'class_fidelity': 0.5},
      {'class': 'one', 'count': 3, 'test_mse': pytest.approx(0.2),
       'class_fidelity': pytest.approx(2 / 3)},
      {'class': 'two', 'count': 0, 'test_mse': None, 'class_fidelity': None}]


def test_baselines_are_cached_per_code_size_and_training_set(tmp_path, make_key):
  train_images = np.asarray(jax.random.uniform(make_key(), (50, 784)))
  test_images = np.asarray(jax.random.uniform(make_key(), (20, 784)))
  cache = str(tmp_path / 'baselines.json')
  first = evaluate.pca_baselines(train_images, test_images, 3, cache)
  np.testing.assert_allclose(first['mean_image_mse'],
                             np.mean(np.square(test_images - train_images.mean(0))), rtol=1e-6)
  key = '3 components, 50 training images'
  assert json.loads((tmp_path / 'baselines.json').read_text()) == {key: first}
  # A cached figure is read back, not recomputed from (here: other) images.
  assert evaluate.pca_baselines(train_images * 0, test_images, 3, cache) == first
  # A run that held out a validation split trained on fewer images: its own baselines.
  held_out = evaluate.pca_baselines(train_images[:40], test_images, 3, cache)
  assert held_out != first
  assert set(json.loads((tmp_path / 'baselines.json').read_text())) == {
      key, '3 components, 40 training images'}


@pytest.mark.slow
def test_evaluate_end_to_end_and_its_errors(tmp_path, mock_tfds, monkeypatch):
  del mock_tfds
  config = tiny_config('v1')
  with pytest.raises(UserError, match='holds no trained model'):
    evaluate.evaluate_run(config, str(tmp_path / 'autoencoder'))
  train.train_and_evaluate(config, str(tmp_path / 'autoencoder'))
  config.evaluate.cache_dir = str(tmp_path / 'cache')
  # A workdir that holds no classifier is refused before any data is loaded.
  config.evaluate.classifier_workdir = str(tmp_path / 'autoencoder')
  load_dataset = data.load_dataset
  monkeypatch.setattr(data, 'load_dataset', lambda *args: pytest.fail('data loaded first'))
  with pytest.raises(UserError, match='holds no mnist classifier'):
    evaluate.evaluate_run(config, str(tmp_path / 'autoencoder'))
  monkeypatch.setattr(data, 'load_dataset', load_dataset)
  config.evaluate.classifier_workdir = str(tmp_path / 'classifier')
  train.train_and_evaluate(tiny_config('cnn'), str(tmp_path / 'classifier'))
  results = evaluate.evaluate_run(config, str(tmp_path / 'autoencoder'))
  saved = json.loads((tmp_path / 'autoencoder' / 'eval.json').read_text())
  assert saved == json.loads(json.dumps(results))
  assert (tmp_path / 'autoencoder' / 'latent.png').read_bytes().startswith(b'\x89PNG')
  assert (tmp_path / 'autoencoder' / 'per_class.png').read_bytes().startswith(b'\x89PNG')
  np.testing.assert_allclose(results['sse_per_image'], results['test_mse'] * 784, rtol=1e-6)
  np.testing.assert_allclose(results['ratio_to_pca'], results['test_mse'] / results['pca_mse'])
  assert 0.0 <= results['class_fidelity'] <= 1.0 and results['epochs'] == 2
  metrics = [json.loads(line) for line in
             (tmp_path / 'autoencoder' / 'metrics.jsonl').read_text().splitlines()]
  np.testing.assert_allclose(results['test_mse'], metrics[-1]['test_loss'], rtol=1e-5)
  # --mode=report over it and the classifier, whose row comes from its metrics.
  rows = report.write_report(report.find_workdirs([str(tmp_path / '*')]),
                             str(tmp_path / 'report'))
  assert [row['run'] for row in rows] == ['autoencoder', 'classifier']
  table = (tmp_path / 'report' / 'RESULTS.md').read_text()
  classifier_metrics = [json.loads(line) for line in
                        (tmp_path / 'classifier' / 'metrics.jsonl').read_text().splitlines()]
  assert (f"| classifier | mnist | 2 | raw | null | {classifier_metrics[-1]['test_accuracy']:.4f} |"
          in table)
  assert results['val_mse'] is None  # it held out no validation split
  assert f"| autoencoder | v1 | mnist | 4 | 2 | null | {results['test_mse']:.3g} |" in table
  assert (tmp_path / 'report' / 'results.png').read_bytes().startswith(b'\x89PNG')
  # A panel of two judges (the same one twice): the mean of their readings, each reported.
  shutil.copytree(tmp_path / 'classifier', tmp_path / 'second_judge')
  config.evaluate.classifier_workdir = f'{tmp_path / "classifier"}, {tmp_path / "second_judge"}'
  panel = evaluate.evaluate_run(config, str(tmp_path / 'autoencoder'))
  assert [judge['judge'] for judge in panel['judges']] == [
      str(tmp_path / 'classifier'), str(tmp_path / 'second_judge')]
  assert panel['class_fidelity'] == pytest.approx(results['class_fidelity'])
  assert [judge['class_fidelity'] for judge in panel['judges']] == [results['class_fidelity']] * 2
  assert '| judge | class_fidelity | test_accuracy |' in evaluate.format_results(panel)
  wrong_model = tiny_config('v2')
  wrong_model.model.hidden_units = 32
  with pytest.raises(UserError, match='is not the one this config builds'):
    evaluate.evaluate_run(wrong_model, str(tmp_path / 'autoencoder'))


@pytest.mark.parametrize('ema_decay, val_loss, val_ema_loss, chosen', [
    (0.0, 0.02, 0.01, 'raw'),  # no average kept
    (0.999, 0.02, 0.01, 'ema'),
    (0.999, 0.01, 0.02, 'raw'),
    (0.999, None, None, 'raw'),  # no validation split: the test split never chooses
])
def test_the_better_weights_on_validation_are_chosen(ema_decay, val_loss, val_ema_loss, chosen):
  config = tiny_config('v2')
  config.optim.ema_decay = ema_decay
  row = {'epoch': 2, 'test_loss': 0.0, 'test_ema_loss': 0.0}
  if val_loss is not None:
    row.update(val_loss=val_loss, val_ema_loss=val_ema_loss)
  weights, why = evaluate.chosen_weights(config, [{'epoch': 1}, row])
  assert weights == chosen and why


@pytest.fixture(scope='module')
def run_with_ema(tmp_path_factory):
  """A finished tiny V2 run with a moving average and a validation split to choose on."""
  workdir = tmp_path_factory.mktemp('ema') / 'autoencoder'
  with tfds_mock.mock_data(MOCK_EXAMPLES):
    train.train_and_evaluate(tiny_ema_config('v2'), str(workdir))
  return workdir


@pytest.mark.slow
@pytest.mark.parametrize('chosen', ('raw', 'ema'))
def test_evaluate_measures_the_weights_chosen_on_validation_and_names_them(
    chosen, run_with_ema, tmp_path, mock_tfds, monkeypatch):
  del mock_tfds
  config = tiny_ema_config('v2')
  workdir = tmp_path / 'autoencoder'
  shutil.copytree(run_with_ema, workdir)
  rows = [json.loads(line) for line in (workdir / 'metrics.jsonl').read_text().splitlines()]
  assert all('val_ema_loss' in row for row in rows)
  # Make the chosen one the better on validation, whatever training gave.
  rows[-1]['val_ema_loss'] = rows[-1]['val_loss'] + (-1e-3 if chosen == 'ema' else 1e-3)
  (workdir / 'metrics.jsonl').write_text(''.join(json.dumps(row) + '\n' for row in rows))
  config.evaluate.cache_dir = str(tmp_path / 'cache')
  config.evaluate.classifier_workdir = str(tmp_path / 'no_classifier')
  results = evaluate.evaluate_run(config, str(workdir))
  assert results['weights'] == chosen
  assert f'| weights | {chosen} |' in evaluate.format_results(results)
  assert results['val_mse'] == rows[-1]['val_ema_loss' if chosen == 'ema' else 'val_loss']
  trained_test_mse = rows[-1]['test_loss']  # of the weights training chose on validation
  if chosen == rows[-1]['test_weights']:
    np.testing.assert_allclose(results['test_mse'], trained_test_mse, rtol=1e-5)
  else:
    assert results['test_mse'] != pytest.approx(trained_test_mse, rel=1e-5)
  # --mode=report draws the reconstructions of the weights eval.json measured.
  loaded = []
  load_trained_model = trained.load_trained_model
  monkeypatch.setattr(trained, 'load_trained_model', lambda config, workdir, model_file: (
      loaded.append(model_file), load_trained_model(config, workdir, model_file))[1])
  report.write_report([str(workdir)], str(tmp_path / 'report'))
  assert loaded == [trained.MODEL_FILES[chosen]]


@pytest.mark.slow
def test_evaluate_without_a_classifier_writes_the_rest_and_says_how_to_train_it(
    tmp_path, mock_tfds, monkeypatch):
  del mock_tfds
  config = tiny_config('v1')
  config.data.validation_size = 8
  train.train_and_evaluate(config, str(tmp_path / 'autoencoder'))
  config.evaluate.cache_dir = str(tmp_path / 'cache')
  config.evaluate.classifier_workdir = str(tmp_path / 'no_classifier')
  warnings = []
  monkeypatch.setattr(evaluate.logging, 'warning',
                      lambda message, *args: warnings.append(message % args))
  results = evaluate.evaluate_run(config, str(tmp_path / 'autoencoder'))
  assert results['class_fidelity'] is None and results['classifier_accuracy'] is None
  assert all(row['class_fidelity'] is None for row in results['per_class'])
  assert results['test_mse'] > 0 and 0 <= results['probe_accuracy'] <= 1
  warnings = [warning for warning in warnings if 'classifier' in warning]
  assert len(warnings) == 1
  assert (f'python main.py --config=configs/cnn_mnist.py --workdir={tmp_path}/no_classifier'
          in warnings[0])
  saved = json.loads((tmp_path / 'autoencoder' / 'eval.json').read_text())
  assert saved['class_fidelity'] is None
  for picture in ('latent.png', 'per_class.png'):
    assert (tmp_path / 'autoencoder' / picture).read_bytes().startswith(b'\x89PNG')
  assert '| class_fidelity | null |' in evaluate.format_results(results)
  metrics = (tmp_path / 'autoencoder' / 'metrics.jsonl').read_text().splitlines()
  assert results['val_mse'] == json.loads(metrics[-1])['val_loss'] != results['test_mse']
  table = report.results_markdown([{'run': 'autoencoder', **results}])
  assert f"| 2 | {results['val_mse']:.3g} | {results['test_mse']:.3g} |" in table
  assert '| null |' in table  # class_fidelity


def test_report_fails_only_when_no_run_was_evaluated(tmp_path):
  for name in ('evaluated', 'unevaluated', 'also_unevaluated'):
    (tmp_path / name).mkdir()
  (tmp_path / 'evaluated' / 'eval.json').write_text('{}')
  workdirs = report.find_workdirs([str(tmp_path / '*')])
  assert report.evaluated(workdirs) == [str(tmp_path / 'evaluated')]
  with pytest.raises(UserError, match='none of .* has an eval.json'):
    report.evaluated([str(tmp_path / 'unevaluated'), str(tmp_path / 'also_unevaluated')])
  with pytest.raises(UserError, match='--runs'):
    report.find_workdirs([])


def test_report_names_a_missing_run_and_a_stale_evaluation(tmp_path, caplog):
  for name in ('fresh', 'stale'):
    (tmp_path / name).mkdir()
    (tmp_path / name / 'eval.json').write_text('{}')
    (tmp_path / name / 'model.msgpack').write_bytes(b'')
    os.utime(tmp_path / name / 'model.msgpack', (1_800_000_000, 1_800_000_000))
  os.utime(tmp_path / 'fresh' / 'eval.json', (1_800_000_100, 1_800_000_100))
  os.utime(tmp_path / 'stale' / 'eval.json', (1_799_999_900, 1_799_999_900))
  workdirs = [str(tmp_path / name) for name in ('fresh', 'stale', 'missing')]
  with caplog.at_level(logging.WARNING):
    assert report.evaluated(workdirs) == workdirs[:2]
  warnings = [record.getMessage() for record in caplog.records]
  assert len(warnings) == 2, warnings
  assert warnings[0].startswith(f'{tmp_path}/stale/eval.json is older than the model')
  assert warnings[1] == f'{tmp_path}/missing not found: left out of the report.'


def test_a_damaged_or_foreign_model_file_is_one_sentence(tmp_path):
  variables = {'params': {'w': np.ones(3, np.float32)}, 'batch_stats': {}}
  run_files.RunFiles(str(tmp_path)).write_model(variables)
  template = {'params': {'w': np.zeros(3, np.float32)}, 'batch_stats': {}}
  loaded = run_files.load_model_variables(str(tmp_path), template)
  np.testing.assert_array_equal(loaded['params']['w'], variables['params']['w'])
  content = bytearray((tmp_path / 'model.msgpack').read_bytes())
  content[-1] ^= 0xFF  # the last byte of the array
  (tmp_path / 'model.msgpack').write_bytes(bytes(content))
  with pytest.raises(UserError, match=r'model.msgpack is damaged: its sha256 differs'):
    run_files.load_model_variables(str(tmp_path), template)
  (tmp_path / 'model.msgpack.sha256').unlink()  # as a model from before digests
  (tmp_path / 'model.msgpack').write_bytes(flax.serialization.msgpack_serialize({'x': 1}))
  with pytest.raises(UserError, match=r'model.msgpack holds no model variables'):
    run_files.load_model_variables(str(tmp_path), template)
  (tmp_path / 'model.msgpack').write_bytes(b'\xc1not msgpack')
  with pytest.raises(UserError, match=r'model.msgpack is not a model file'):
    run_files.load_model_variables(str(tmp_path), template)


def _evaluated_run(workdir, make_key, test_mse):
  """A workdir as --mode=evaluate leaves it, for an untrained tiny V1: config, model, eval.json."""
  config = tiny_config('v1')
  run = run_files.RunFiles(str(workdir))
  run.write_config(config)
  run.write_model(jax.device_get(networks.init_variables(networks.create_model(config.model),
                                                      make_key())))
  (workdir / 'eval.json').write_text(json.dumps({
      'version': 'v1', 'dataset': 'mnist', 'code_dim': 4, 'epochs': 2, 'val_mse': None,
      'test_mse': test_mse, 'sse_per_image': test_mse * 784, 'ratio_to_pca': 1.0,
      'class_fidelity': None, 'probe_accuracy': 0.5, 'train_seconds': 3.0}))


def _first_table(text, table):
  """The index of the command line of `table`'s section in text.splitlines(), and those
  of the rows of its first table."""
  lines = text.splitlines()
  begin = lines.index(report.section_markers(table)[0])
  header = next(index for index in range(begin, len(lines)) if lines[index].startswith('|'))
  stop = next(index for index in range(header, len(lines)) if not lines[index].startswith('|'))
  return begin + 1, list(range(header + 2, stop))


def test_report_updates_its_runs_rows_and_keeps_every_other_line(
    tmp_path, make_key, monkeypatch, capsys, caplog):
  test_split = {'image': np.zeros((10, 784), np.float32), 'label': np.arange(10)}
  monkeypatch.setattr(data, 'load_dataset', lambda data_config: {'test': test_split})
  repository_results = (REPO_ROOT / 'RESULTS.md').read_text()
  command, rows = _first_table(repository_results, 'results')
  lines = repository_results.splitlines()
  runs = [lines[index].split('|')[1].strip() for index in rows]
  _evaluated_run(tmp_path / 'runs' / 'first', make_key, 0.0342)
  _evaluated_run(tmp_path / 'runs' / runs[1], make_key, 0.0111)  # a run the table has
  (tmp_path / 'runs' / runs[2]).mkdir()  # and one never evaluated
  output = tmp_path / 'copy'
  output.mkdir()
  (output / 'RESULTS.md').write_text(repository_results)

  def report_on(names, table):
    report.write_report([str(tmp_path / 'runs' / name) for name in names], str(output), table)
    return (output / 'RESULTS.md').read_text()

  def outside(text, table):
    begin, end = report.section_markers(table)
    return text[:text.index(begin)], text[text.index(end):]

  def unchanged(text, changed):  # its lines but those of the indices `changed`
    return [line for index, line in enumerate(text.splitlines()) if index not in changed]

  # A new run: its row follows the table's rows, every other line stays as it was.
  once = report_on(['first'], 'results')
  new_row = '| first | v1 | mnist | 4 | 2 | null | 0.0342 | 26.81 | 1.00 | null | 0.5000 | 3 |'
  new_command = once.splitlines()[command]
  assert once.splitlines() == (lines[:command] + [new_command] + lines[command + 1:rows[-1] + 1]
                               + [new_row] + lines[rows[-1] + 1:])
  assert f'--runs={",".join(f"runs/{run}" for run in runs)},{tmp_path}/runs/first ' in new_command
  assert capsys.readouterr().out.splitlines()[-1] == (
      f'kept {len(runs)} rows from {output}/RESULTS.md that no --runs workdir gave: '
      f'{", ".join(runs)}; results.png draws only the runs given (it needs each run\'s model)')
  assert (output / 'results.png').read_bytes().startswith(b'\x89PNG')
  # A run the table has: its row changes in place; one without eval.json keeps its row.
  with caplog.at_level(logging.WARNING):
    twice = report_on([runs[1], runs[2]], 'results')
  assert f'{tmp_path}/runs/{runs[2]} has no eval.json' in caplog.text
  assert twice.splitlines()[rows[1]].startswith(
      f'| {runs[1]} | v1 | mnist | 4 | 2 | null | 0.0111 |')
  assert unchanged(twice, (command, rows[1])) == unchanged(once, (command, rows[1]))
  assert report_on([runs[1]], 'results') == twice  # again: the same file
  # Another section: the first stays byte for byte, the hand-written text between too,
  # and every row of both its tables and its seed choices stay.
  records = report_on(['first'], 'records')
  assert outside(records, 'records') == outside(twice, 'records')
  records_command, _ = _first_table(twice, 'records')
  assert set(unchanged(twice, (records_command,))) < set(records.splitlines())
  assert f'{new_row}\n\nClassifiers, from the last epoch' in records
  # A section the file does not have yet is appended after the rest.
  extra = report_on(['first'], 'extra')
  assert extra.startswith(records.rstrip('\n'))
  assert extra.endswith(f'{new_row}\n\n{report.section_markers("extra")[1]}\n')
  with pytest.raises(UserError, match='--table'):
    report_on(['first'], '../elsewhere')
  _evaluated_run(tmp_path / 'elsewhere' / 'first', make_key, 0.0342)
  with pytest.raises(UserError, match='several --runs workdirs are named first'):
    report.write_report([str(tmp_path / 'runs' / 'first'), str(tmp_path / 'elsewhere' / 'first')],
                        str(output))


@pytest.mark.parametrize('damage, message', [
    ('header', 'a table with the columns run | version'),
    ('separator', 'the line under the table\'s header should be'),
    ('cells', 'a row of 13 cells under a header of 12'),
    ('twice', 'a second row for the run'),
    ('end', 'the section --table=results begins here but never ends'),
])
def test_a_results_md_the_report_cannot_read_back_names_the_line(tmp_path, make_key, damage,
                                                                 message):
  text = (REPO_ROOT / 'RESULTS.md').read_text()
  command, rows = _first_table(text, 'results')
  lines = text.splitlines()
  damaged_index = {'header': rows[0] - 2, 'separator': rows[0] - 1, 'cells': rows[0],
                   'twice': rows[1], 'end': command - 1}[damage]
  lines[damaged_index] = {
      'header': lines[rows[0] - 2].replace('probe_accuracy', 'probe'),
      'separator': '| -- | x |', 'cells': lines[rows[0]] + ' 1 |', 'twice': lines[rows[0]],
      'end': lines[command - 1]}[damage]
  if damage == 'end':  # named at the section's first line
    lines.remove(report.section_markers('results')[1])
  (tmp_path / 'RESULTS.md').write_text('\n'.join(lines) + '\n')
  _evaluated_run(tmp_path / 'runs' / 'first', make_key, 0.0342)
  with pytest.raises(UserError, match=re.escape(
      f'{tmp_path}/RESULTS.md:{damaged_index + 1}: {message}')):
    report.write_report([str(tmp_path / 'runs' / 'first')], str(tmp_path))
  assert (tmp_path / 'RESULTS.md').read_text() == '\n'.join(lines) + '\n'


def test_rows_and_seed_choices_are_merged_in_place():
  page = [('a', '| a | 1 |'), ('b', '| b | 2 |'), ('c', '| c | 3 |')]
  assert report.merge_rows(page, [('d', '| d | 4 |'), ('b', '| b | 5 |')], ['d', 'b']) == (
      [('a', '| a | 1 |'), ('b', '| b | 5 |'), ('c', '| c | 3 |'), ('d', '| d | 4 |')],
      ['a', 'c'])
  # A run reported into the other table leaves this one.
  assert report.merge_rows(page, [], ['b']) == ([page[0], page[2]], ['a', 'c'])
  choice = 'Seeds of one config, chosen on val_mse: **{}** (0.01) of {}.\n'
  page_choices = [choice.format('a', 'a, b'), choice.format('c', 'c, d')]
  fresh = [choice.format('d', 'c, d'), choice.format('e', 'e, f')]
  assert report.merge_choices(page_choices, fresh, ['c', 'd', 'e', 'f']) == [
      page_choices[0], fresh[0], fresh[1]]


def test_of_several_seeds_of_one_config_the_best_on_validation_is_named(tmp_path):
  def run(name, seed, val_mse, test_mse, code_dim=4):
    config = tiny_config('v2')
    config.seed = seed
    config.model.code_dim = code_dim
    (tmp_path / name).mkdir()
    (tmp_path / name / 'config.json').write_text(config.to_json())
    return str(tmp_path / name), {'run': name, 'val_mse': val_mse, 'test_mse': test_mse}

  runs = [run('seed0', 0, 0.012, 0.010), run('seed1', 1, 0.011, 0.013),
          run('seed2', 2, 0.013, 0.009), run('other', 0, 0.001, 0.001, code_dim=5),
          run('unvalidated0', 0, None, 0.01, code_dim=6),
          run('unvalidated1', 1, None, 0.02, code_dim=6)]
  workdirs, rows = zip(*runs)
  assert report.seed_choices(workdirs, rows, 'val_mse', higher_is_better=False) == [
      'Seeds of one config, chosen on val_mse: **seed1** (0.011) of seed0, seed1, seed2.\n']
  assert report.seed_choices(workdirs, rows, 'val_mse', higher_is_better=True)[0].startswith(
      'Seeds of one config, chosen on val_mse: **seed2**')


@pytest.mark.slow
def test_a_classifier_row_shows_the_weights_its_test_split_measured(tmp_path, mock_tfds):
  del mock_tfds
  config = tiny_ema_config('cnn')
  workdir = tmp_path / 'classifier'
  train.train_and_evaluate(config, str(workdir))
  last = json.loads((workdir / 'metrics.jsonl').read_text().splitlines()[-1])
  [row] = report.read_classifier_rows([str(workdir)])
  assert row['weights'] == last['test_weights'] in ('raw', 'ema')
  chosen_val = 'val_ema_accuracy' if last['test_weights'] == 'ema' else 'val_accuracy'
  assert (row['val_accuracy'], row['test_accuracy']) == (last[chosen_val], last['test_accuracy'])
