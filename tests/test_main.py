"""main.py end to end: a tiny run leaves every file; bad input gets one sentence."""

import json
import os
import re
import signal
import subprocess
import sys

import jax
import pytest
from tensorboard.backend.event_processing import event_accumulator

from jax_ae import errors
from jax_ae.config import config_files
from jax_ae.datasets import data
from jax_ae.errors import ConfigError
from jax_ae.workdir import run_files
from tests import main_with_mock_data
from tests.helpers import BROKEN_CONFIGS, REPO_ROOT, tiny_config


def _run_main_subprocess(*args, **env):
  """`python ARGS` from the repository root; main.py unless ARGS start with -m."""
  command = list(args) if args[0] == '-m' else ['main.py', *args]
  return subprocess.run([sys.executable, *command], cwd=REPO_ROOT, capture_output=True,
                        text=True, timeout=300, check=False, env={**os.environ, **env})


CONV_TINY_FLAGS = ('--config.model.features=4,8', '--config.batch_size=8',
                   '--config.eval_batch_size=16', '--config.num_epochs=2',
                   '--config.num_reconstructions=4')


@pytest.mark.parametrize('config_name, pictures', [
    ('conv_ae', {'loss_curve.png', 'reconstructions.png'}),
    ('cnn_fashion', {'loss_curve.png', 'confusion_matrix.png', 'misclassified.png'}),
])
@pytest.mark.slow
def test_tiny_cnn_runs_leave_their_files(config_name, pictures, tmp_path):
  workdir = tmp_path / 'run'
  result = _run_main_subprocess('-m', 'tests.main_with_mock_data',
                                f'--config=configs/{config_name}.py', f'--workdir={workdir}',
                                *CONV_TINY_FLAGS)
  assert result.returncode == 0, result.stderr[-3000:]
  names = set(os.listdir(workdir))
  assert {'config.json', 'metrics.jsonl', 'model.msgpack'} | pictures <= names
  other_pictures = set(f'{name}.png' for name in run_files.PICTURES) - pictures
  assert not names & other_pictures
  for picture in pictures:
    assert (workdir / picture).read_bytes().startswith(b'\x89PNG')
  rows = [json.loads(line) for line in (workdir / 'metrics.jsonl').read_text().splitlines()]
  assert [row['epoch'] for row in rows] == [1, 2]
  classifies = config_name.startswith('cnn')
  assert ('per_class.json' in names) == classifies
  if classifies:
    per_class = json.loads((workdir / 'per_class.json').read_text())
    assert [row['class'] for row in per_class] == list(data.CLASS_NAMES['fashion_mnist'])
    assert sum(row['count'] for row in per_class) == main_with_mock_data.MOCK_EXAMPLES
  for row in rows:
    assert ({'train_accuracy', 'test_accuracy'} <= set(row)) == classifies
    assert row['loop'] == 'python' or jax.default_backend() != 'cpu'
    if classifies:
      assert 0.0 <= row['test_accuracy'] <= 1.0
  events = event_accumulator.EventAccumulator(str(workdir))
  events.Reload()
  assert events.Tags()['images'] == (['confusion_matrix'] if classifies else ['reconstructions'])


# A wrong value, a missing data folder, an unknown field; the checks' other sentences reach
# the user the same way as the first (their texts: tests/test_config_checks.py).
@pytest.mark.parametrize('override, exit_code, message', [
    ('--config.model.name=v9', 2, "unknown --config.model.name 'v9'; choose one of v1, v2, v3, "
                                  "v4, v5, "),
    pytest.param('--config.data.manual_dir=/nonexistent/{name}', 1,
                 "'/nonexistent/mnist' is not a folder", marks=pytest.mark.slow),  # imports tfds
    ('--config.modle.name=v3', 2, "the config has no field 'modle'"),
])
def test_bad_input_gets_one_sentence_and_no_traceback(override, exit_code, message, tmp_path):
  result = _run_main_subprocess('--config=configs/v1.py', f'--workdir={tmp_path}', override)
  assert result.returncode == exit_code
  error_lines = [line for line in result.stderr.splitlines() if line.startswith('error: ')]
  assert len(error_lines) == 1 and message in error_lines[0]
  assert 'Traceback' not in result.stderr


@pytest.mark.slow
def test_models_steps_and_tensorboard_events_need_no_tensorflow(tmp_path):
  # TensorFlow's import is 3-10 s of a process's start; only data.py's tfds needs it.
  code = ('import sys, jax_ae.training.train, jax_ae.models.networks, jax_ae.figures.plots, jax_ae.workdir.tensorboard_events; '
          f'events = jax_ae.workdir.tensorboard_events.EventWriter({str(tmp_path)!r}); '
          'events.write(3, {"train_loss": 0.5}); '
          'sys.exit("tensorflow" in sys.modules)')
  assert subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT, check=False).returncode == 0
  events = event_accumulator.EventAccumulator(str(tmp_path))
  events.Reload()
  assert [(event.step, event.value) for event in events.Scalars('train_loss')] == [(3, 0.5)]


def test_a_missing_config_file_is_one_sentence(tmp_path):
  result = _run_main_subprocess('--config=configs/nope.py', f'--workdir={tmp_path}')
  assert result.returncode == 2
  assert result.stderr == ("error: config file 'configs/nope.py' not found; pass the path of a "
                           "config file, e.g. --config=configs/v3.py (python main.py --help "
                           "lists them).\n")


def test_a_get_config_that_returns_nothing_is_one_sentence(tmp_path):
  (tmp_path / 'empty.py').write_text('def get_config():\n  pass\n')
  with pytest.raises(ConfigError) as raised:  # main.py prints it after 'error: ', exit 2
    config_files.check(f'{tmp_path}/empty.py')
  assert str(raised.value) == (f"get_config() of config file '{tmp_path}/empty.py' returned "
                               f"NoneType, not an ml_collections.ConfigDict; end it with "
                               f"`return config`.")




@pytest.mark.parametrize('kind', BROKEN_CONFIGS)
def test_a_broken_config_file_is_one_sentence_naming_it(kind, tmp_path):
  source, message = BROKEN_CONFIGS[kind]
  config_file = tmp_path / 'broken.py'
  config_file.write_text(source)
  with pytest.raises(ConfigError) as raised:
    config_files.check(str(config_file))
  assert str(config_file) in str(raised.value) and re.search(message, str(raised.value))
  assert '\n' not in str(raised.value)


def test_help_lists_the_configs_and_exits_0():
  result = _run_main_subprocess('--help')
  assert result.returncode == 0, result.stderr
  assert re.search(r'configs/v1\.py +V1: linear autoencoder 784-128-10-128-784', result.stdout)
  assert 'configs/default.py' in result.stdout and '--mode' in result.stdout
  listed = [line.split()[0] for line in result.stdout.splitlines()
            if line.startswith('  configs/')]
  assert listed == sorted(f'configs/{path.relative_to(REPO_ROOT / "configs")}'
                          for path in (REPO_ROOT / 'configs').glob('**/*.py')
                          if not path.name.startswith('_') and path.parent.name != 'attempts')
  assert 'configs/notebook/v1.py' in listed
  assert '\nconfigs/attempts/ holds the record attempts that did not reach their target' in (
      result.stdout)


@pytest.mark.slow
def test_mode_config_prints_the_resolved_config_and_writes_nothing(tmp_path):
  result = _run_main_subprocess('--mode=config', '--config=configs/v3.py',
                                '--config.num_epochs=7')
  assert result.returncode == 0, result.stderr
  printed = json.loads(result.stdout)  # plain values: no YAML tags such as !!python/tuple
  assert printed['num_epochs'] == 7 and printed['model']['name'] == 'v3'
  assert printed['bench']['batch_sizes'] == []
  result = _run_main_subprocess('--config=configs/v1.py')
  assert result.returncode == 2 and '--workdir is required' in result.stderr


@pytest.mark.slow
def test_sigterm_mid_epoch_stops_within_a_call_or_two_not_at_the_epoch_end(tmp_path):
  # 200 steps of V3 per epoch, one step per call: JAX alone would queue all 200 calls
  # before the first had run, and a stop would only be seen after the epoch's last step.
  examples, batch_size = 6400, 32
  process = subprocess.Popen(
      [sys.executable, '-m', 'tests.main_with_mock_data', '--config=configs/v3.py',
       f'--workdir={tmp_path}', '--config.num_epochs=1', '--config.train.loop=scan',
       '--config.train.steps_per_call=1', f'--config.batch_size={batch_size}'],
      cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
      env={**os.environ, 'JAX_AE_MOCK_EXAMPLES': str(examples)})
  try:
    for line in process.stderr:
      if line.startswith('compiled the train step'):
        process.send_signal(signal.SIGTERM)  # the first steps are running now
        break
    rest = process.stderr.read()
    assert process.wait(timeout=300) == 143, rest[-3000:]
  finally:
    process.kill()
  stopped = re.search(r'stopped: SIGTERM at epoch 1, step (\d+) of (\d+)', rest)
  assert stopped, rest[-3000:]
  steps_per_epoch = examples // batch_size
  assert int(stopped.group(2)) == steps_per_epoch
  assert int(stopped.group(1)) < steps_per_epoch // 2


def test_a_stopped_or_diverged_run_is_told_how_to_resume_with_its_own_flags():
  handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
  import main  # pylint: disable=g-import-not-at-top,import-outside-toplevel
  for number, handler in handlers.items():  # main.py's exit-at-once handlers are for main.py
    signal.signal(number, handler)
  config = tiny_config()
  diverged = errors.Diverged('loss became NaN at epoch 3 (step 17)', last_good_epoch=2)
  assert main.user_message(diverged, config) == (
      'error: loss became NaN at epoch 3 (step 17); the last good checkpoint is epoch 2; lower '
      'the learning rate or set --config.optim.clip_norm, then run again to resume from it.')
  assert 'checkpoint is none (no epoch finished before);' in main.user_message(
      errors.Diverged('test_loss became nan at epoch 1', last_good_epoch=None), config)
  stopped = errors.Interrupted('SIGINT at epoch 1, step 3 of 9; checkpoint saved', 130)
  config.restart = True  # the same command would start over
  assert main.user_message(stopped, config) == (
      'stopped: SIGINT at epoch 1, step 3 of 9; checkpoint saved; run the same '
      'command without --config.restart=True to resume.')
  assert main.user_message(errors.UserError('no such file'), config) == 'error: no such file'
