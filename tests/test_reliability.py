"""main.py under attack, as a user would meet it: one line on stderr, the right exit code.

Each test runs `python -m tests.main_with_mock_data` (main.py on random mock data) in a
subprocess against a workdir that is busy, on a full disk, trained to divergence, or
whose newest checkpoint is damaged.
"""

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from jax_ae.errors import UserError
from jax_ae.workdir import workdir_lock
from tests.helpers import BROKEN_CONFIGS, CHECKPOINT_DAMAGES, REPO_ROOT

# Every test here runs main.py in a subprocess, some several times.
pytestmark = pytest.mark.slow

TINY_FLAGS = ('--config.model.code_dim=4', '--config.batch_size=8',
              '--config.eval_batch_size=16', '--config.num_epochs=2',
              '--config.num_reconstructions=2')
# What the run that holds a workdir has logged so far; a refused run leaves it so.
HOLDERS_LOG = 'I1204 05:00:00.000000 1 train.py:1] the holder\'s own line\n'
# absl's log lines ("I1201 18:09:01.516348 1405... file.py:12] ..."): not messages.
LOG_LINE = re.compile(r'^[DIWEF]\d{4} \d\d:\d\d:\d\d\.\d+ ')


def _main(workdir, *flags, config='configs/v1.py'):
  return subprocess.run(
      [sys.executable, '-m', 'tests.main_with_mock_data', f'--config={config}',
       f'--workdir={workdir}', *TINY_FLAGS, *flags], cwd=REPO_ROOT, capture_output=True,
      text=True, timeout=600, check=False)


def _messages(stderr):
  """What main.py says to the user when a run ends (its error: or stopped: line), and
  any traceback: the console's progress and epoch lines are left out."""
  return [line for line in stderr.splitlines()
          if line.startswith(('error:', 'stopped:', 'Traceback', '  File '))]


def _error_logs(stderr):
  return [line for line in stderr.splitlines() if line.startswith('E') and LOG_LINE.match(line)]


def _metrics_rows(workdir):
  return [json.loads(line) for line in (workdir / 'metrics.jsonl').read_text().splitlines()]


# One workdir, one run.

def test_a_second_run_on_a_busy_workdir_is_refused_with_the_holders_pid(tmp_path):
  workdir = tmp_path / 'run'
  workdir.mkdir()
  (workdir / 'log.txt').write_text(HOLDERS_LOG)
  workdir_lock.acquire(str(workdir))  # this test process is the live holder
  try:
    result = _main(workdir)
  finally:
    workdir_lock.release(str(workdir))
  assert result.returncode == 1, result.stderr[-3000:]
  assert _messages(result.stderr) == [
      f'error: workdir {str(workdir)!r} is in use by another run (PID {os.getpid()}); wait '
      f'for it to end, or use another --workdir.']
  assert not (workdir / 'metrics.jsonl').exists()
  assert (workdir / 'log.txt').read_text() == HOLDERS_LOG


def test_a_run_refused_as_the_holder_writes_its_pid_waits_for_it(tmp_path, monkeypatch):
  # Two runs started at one instant: the holder has the flock but has not yet written
  # its PID when the other reads the file. The holder's write is simulated at the
  # refused run's first wait, so the moment is fixed rather than raced.
  lock_path = tmp_path / workdir_lock.LOCK_FILE
  holder = open(lock_path, 'a+')  # pylint: disable=consider-using-with
  fcntl.flock(holder, fcntl.LOCK_EX)
  waits = []

  def holder_writes_its_pid(seconds):
    waits.append(seconds)
    holder.write('4242\n')
    holder.flush()

  monkeypatch.setattr(workdir_lock.time, 'sleep', holder_writes_its_pid)
  try:
    with pytest.raises(UserError, match=r'in use by another run \(PID 4242\)'):
      workdir_lock.acquire(str(tmp_path))
  finally:
    holder.close()
  assert len(waits) == 1


# A damaged newest checkpoint: one warning, and the run goes on from the one before.

@pytest.fixture(scope='module')
def finished_run(tmp_path_factory):
  """A finished 2-epoch run, with a checkpoint after each epoch (steps 3 and 6), started
  on a workdir that holds the lock file of a dead run (no flock held: its holder died)."""
  workdir = tmp_path_factory.mktemp('finished') / 'run'
  workdir.mkdir()
  dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'],
                        capture_output=True, text=True, check=True)
  (workdir / workdir_lock.LOCK_FILE).write_text(dead.stdout)
  result = _main(workdir)
  assert result.returncode == 0, result.stderr[-3000:]
  return workdir


def test_the_lock_file_of_a_dead_run_is_taken_over(finished_run):
  assert [row['epoch'] for row in _metrics_rows(finished_run)] == [1, 2]


# The ways a read fails: a manifest that does not parse, a data file that ends early, and a
# digest that does not match.
@pytest.mark.parametrize('damage', ('truncated manifest', 'truncated data file', 'one flipped byte'))
def test_a_damaged_newest_checkpoint_is_one_warning_and_nothing_else(damage, finished_run,
                                                                     tmp_path):
  """Orbax's failed reads of the damaged step leave nothing that prints later (a 'Task
  exception was never retrieved' traceback whenever the garbage collector ran)."""
  workdir = tmp_path / 'run'
  shutil.copytree(finished_run, workdir)
  CHECKPOINT_DAMAGES[damage](workdir / 'checkpoints' / '6')
  result = _main(workdir, '--config.num_epochs=3')
  console = result.stdout + result.stderr
  assert result.returncode == 0, console[-3000:]
  warnings = [line for line in console.splitlines() if line.startswith(('warning', 'error'))]
  assert len(warnings) == 1, console[-3000:]
  assert re.fullmatch(rf'warning: The checkpoint of step 6 in {re.escape(str(workdir))}/'
                      rf'checkpoints cannot be read \(.+\); moved aside to 6\.damaged, trying '
                      rf'the next older one\.', warnings[0]), warnings[0]
  assert 'Traceback' not in console and 'never retrieved' not in console, console[-3000:]
  assert 'Resuming from the checkpoint at step 3 (epoch 1, 1 complete).' in console
  assert [row['epoch'] for row in _metrics_rows(workdir)] == [1, 2, 3]
  log = (workdir / 'log.txt').read_text()
  assert log.startswith((finished_run / 'log.txt').read_text()) and 'cannot be read' in log


@pytest.mark.parametrize('flag, refusal', [
    ('--config.seed=7', 'workdir {workdir!r} holds a run with another config: --config.seed '
                        '(0 -> 7); use a new --workdir, or --config.restart=True to replace '
                        'that run.'),
    # A value refused for itself leaves the workdir's run as it found it too.
    ('--config.optim.learning_rate=-0.5', '--config.optim.learning_rate must be a positive '
                                        'number, got -0.5.'),
])
def test_a_refused_config_leaves_the_workdirs_log_and_config(finished_run, tmp_path, flag,
                                                             refusal):
  workdir = tmp_path / 'run'
  shutil.copytree(finished_run, workdir)
  before = {name: (workdir / name).read_text() for name in ('log.txt', 'config.json')}
  result = _main(workdir, flag)
  assert result.returncode == 2, result.stderr[-3000:]
  assert _messages(result.stderr) == ['error: ' + refusal.format(workdir=str(workdir))]
  assert {name: (workdir / name).read_text() for name in before} == before


# A full disk at the first checkpoint: a real one, a tmpfs too small for it.

@pytest.fixture
def small_disk(tmp_path):
  mount_point = tmp_path / 'small_disk'
  mount_point.mkdir()
  mounted = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', str(mount_point)],
                           capture_output=True, check=False)
  if mounted.returncode != 0:
    pytest.skip(f'cannot mount a tmpfs here: {mounted.stderr.decode().strip()}')
  yield mount_point
  subprocess.run(['umount', str(mount_point)], check=True)


def test_a_full_disk_at_a_checkpoint_is_one_line(small_disk):
  workdir = small_disk / 'run'
  # V1's default 1000-unit layers: a checkpoint of about 2 MB does not fit in 1 MB.
  result = _main(workdir, '--config.model.hidden_units=1000', '--config.model.code_dim=30')
  assert result.returncode == 1, result.stderr[-3000:]
  assert _messages(result.stderr) == [
      f'error: could not write the checkpoint of step 3 in {workdir}/checkpoints (no space '
      f'left on device); the previous checkpoint (none yet) is intact; free some space; '
      f'run the same command to resume.'], result.stderr[-3000:]
  assert _error_logs(result.stderr) == []
  assert os.listdir(workdir / 'checkpoints') == []  # the half-written step is gone


# A broken config file: exit 2, one line naming the file (tests/test_main.py has the others).

def test_main_prints_a_broken_config_files_sentence_as_one_line_and_exits_2(tmp_path):
  config_file = tmp_path / 'broken.py'
  config_file.write_text(BROKEN_CONFIGS['syntax error'][0])
  result = subprocess.run([sys.executable, 'main.py', f'--config={config_file}',
                           f'--workdir={tmp_path / "run"}'], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
  assert result.returncode == 2, result.stderr[-3000:]
  assert _messages(result.stderr) == [
      f'error: config file {str(config_file)!r} has a syntax error at line 1: invalid syntax.'
  ], result.stderr[-3000:]


# Divergence never looks like success.

def test_a_non_finite_test_loss_fails_the_run_and_a_saner_rate_reruns(tmp_path):
  """V4 at learning rate 1e8: finite train steps, then BatchNorm statistics that make the
  test loss NaN. Exit 3 with the NaN guard's sentence, and nothing of it is kept."""
  workdir = tmp_path / 'run'
  v4 = {'config': 'configs/v4.py'}
  diverged = _main(workdir, '--config.optim.learning_rate=1e8', **v4)
  assert diverged.returncode == 3, diverged.stderr[-3000:]
  assert _messages(diverged.stderr) == [
      'error: test_loss became nan at epoch 1; the last good checkpoint is none (no epoch '
      'finished before); lower the learning rate or set --config.optim.clip_norm, then run '
      'again to resume from it.']
  assert _metrics_rows(workdir)[-1]['test_loss'] is None  # strict JSON: null, not NaN
  assert not (workdir / 'model.msgpack').exists()
  assert os.listdir(workdir / 'checkpoints') == []

  rerun = _main(workdir, **v4)
  assert rerun.returncode == 0, rerun.stderr[-3000:]
  rows = _metrics_rows(workdir)
  assert [row['epoch'] for row in rows] == [1, 2]
  assert all(isinstance(row['test_loss'], float) for row in rows)
