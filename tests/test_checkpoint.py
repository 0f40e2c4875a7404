"""Checkpoints and resume: interrupted runs end exactly where uninterrupted ones do."""

import asyncio
import errno
import gc
import json
import os
import shutil
import signal
import subprocess
import sys

import jax
import numpy as np
import pytest

from jax_ae.config import config_checks
from jax_ae.errors import ConfigError, Diverged, Interrupted, UserError
from jax_ae.models import losses
from jax_ae.models import tasks
from jax_ae.runtime import interrupts
from jax_ae.training import steps
from jax_ae.training import train
from jax_ae.training import train_loops
from jax_ae.workdir import checkpoint
from jax_ae.workdir import run_files
from jax_ae.workdir import tensorboard_events
from tests.helpers import (CHECKPOINT_DAMAGES, new_train_state, NanGradientLoss, REPO_ROOT,
                           tiny_config)


def _metrics_epochs(workdir):
  return [json.loads(line)['epoch'] for line in open(os.path.join(workdir, 'metrics.jsonl'))]


def _assert_same_state(a, b):
  jax.tree.map(np.testing.assert_array_equal, a.params, b.params)
  jax.tree.map(np.testing.assert_array_equal, a.batch_stats, b.batch_stats)
  jax.tree.map(np.testing.assert_array_equal, a.opt_state, b.opt_state)


def _copy_of(finished_run, tmp_path):
  """A workdir of its own holding `finished_tiny_run`'s files (tests/conftest.py)."""
  workdir = tmp_path / 'run'
  shutil.copytree(finished_run, workdir)
  return workdir


class _StopAfterPolls(interrupts.StopRequest):
  """Asks to stop at the Nth poll, as a Ctrl-C between two steps would.

  The train loop polls (`agree`) before each call of its step and once at the end of
  the epoch: with one step per call, 4 polls per epoch of 3 steps.
  """

  polls_left = 0

  def agree(self):
    _StopAfterPolls.polls_left -= 1
    if _StopAfterPolls.polls_left == 0:
      self._received = signal.SIGINT
    return super().agree()


@pytest.mark.slow
def test_run_stopped_mid_epoch_resumes_to_identical_parameters(tmp_path, mock_tfds, monkeypatch):
  # V5 (BatchNorm) resumes in the moving-average test below.
  del mock_tfds  # 24 examples, batch 8: 3 steps per epoch
  config = tiny_config('v2')
  config.num_epochs = 3
  config.train.steps_per_call = 1
  reference = train.train_and_evaluate(config, str(tmp_path / 'reference'))

  monkeypatch.setattr(interrupts, 'StopRequest', _StopAfterPolls)
  workdir = str(tmp_path / 'stopped')
  for polls in (6, 5):  # epoch 2 after one step, then epoch 3 before its second step
    _StopAfterPolls.polls_left = polls
    with pytest.raises(Interrupted) as stopped:
      train.train_and_evaluate(config, workdir)
    assert stopped.value.exit_code == 130
  _StopAfterPolls.polls_left = -1
  resumed = train.train_and_evaluate(config, workdir)
  _assert_same_state(reference, resumed)
  assert _metrics_epochs(workdir) == [1, 2, 3]


@pytest.mark.slow
def test_a_run_with_ema_stopped_mid_epoch_resumes_to_identical_averages(tmp_path, mock_tfds,
                                                                        monkeypatch):
  del mock_tfds  # 24 examples, batch 8: 3 steps per epoch
  config = tiny_config('v5')  # BatchNorm: the average is evaluated with its statistics
  config.num_epochs = 3
  config.train.steps_per_call = 1
  config.optim.ema_decay = 0.9
  reference = train.train_and_evaluate(config, str(tmp_path / 'reference'))

  monkeypatch.setattr(interrupts, 'StopRequest', _StopAfterPolls)
  workdir = tmp_path / 'stopped'
  for polls in (6, 5):  # epoch 2 after one step, then epoch 3 before its second step
    _StopAfterPolls.polls_left = polls
    with pytest.raises(Interrupted):
      train.train_and_evaluate(config, str(workdir))
  _StopAfterPolls.polls_left = -1
  resumed = train.train_and_evaluate(config, str(workdir))
  _assert_same_state(reference, resumed)
  jax.tree.map(np.testing.assert_array_equal, reference.ema_params, resumed.ema_params)
  for name in ('model.msgpack', 'model_ema.msgpack'):
    assert (workdir / name).read_bytes() == (tmp_path / 'reference' / name).read_bytes()
  ema_losses = [[json.loads(line)['test_ema_loss'] for line in open(folder / 'metrics.jsonl')]
                for folder in (tmp_path / 'reference', workdir)]
  assert ema_losses[0] == ema_losses[1] and len(ema_losses[0]) == 3


def test_a_checkpoint_holds_the_moving_average_only_when_there_is_one(make_key):
  config = tiny_config('v2')
  assert 'ema_params' not in checkpoint._state_arrays(new_train_state(config, make_key(), 10))  # pylint: disable=protected-access
  config.optim.ema_decay = 0.999
  assert 'ema_params' in checkpoint._state_arrays(new_train_state(config, make_key(), 10))  # pylint: disable=protected-access


@pytest.mark.slow
def test_more_epochs_extend_a_finished_run(finished_tiny_run, tmp_path, mock_tfds):
  del mock_tfds
  workdir = _copy_of(finished_tiny_run, tmp_path)
  config = tiny_config()
  config.num_epochs = 4
  train.train_and_evaluate(config, str(workdir))
  assert _metrics_epochs(workdir) == [1, 2, 3, 4]
  positions = checkpoint.Checkpoints(str(workdir / 'checkpoints'), 3).latest_position()
  assert positions == checkpoint.Position(epoch=4, completed_epochs=4)


@pytest.mark.slow
def test_a_finished_run_run_again_changes_nothing(finished_tiny_run, tmp_path, mock_tfds):
  del mock_tfds
  workdir = _copy_of(finished_tiny_run, tmp_path)
  model = (workdir / 'model.msgpack').read_bytes()
  again = train.train_and_evaluate(tiny_config(), str(workdir))
  assert int(again.step) == 6
  assert (workdir / 'model.msgpack').read_bytes() == model
  assert sorted(os.listdir(workdir / 'checkpoints')) == ['3', '6']
  assert _metrics_epochs(workdir) == [1, 2]


@pytest.mark.slow
def test_a_workdir_of_another_config_is_refused_with_the_fields(finished_tiny_run, tmp_path,
                                                                mock_tfds):
  del mock_tfds
  workdir = _copy_of(finished_tiny_run, tmp_path)
  config = tiny_config()
  config.model.code_dim = 5
  config.seed = 7
  with pytest.raises(ConfigError, match=r'--config.model.code_dim \(4 -> 5\), '
                                        r'--config.seed \(0 -> 7\)'):
    train.train_and_evaluate(config, str(workdir))
  config.restart = True
  train.train_and_evaluate(config, str(workdir))
  assert _metrics_epochs(workdir) == [1, 2]
  assert json.loads((workdir / 'config.json').read_text())['model']['code_dim'] == 5


@pytest.mark.slow
def test_checkpoints_of_another_model_without_config_json_are_one_sentence(finished_tiny_run,
                                                                         tmp_path, mock_tfds):
  del mock_tfds
  workdir = _copy_of(finished_tiny_run, tmp_path)
  (workdir / 'config.json').unlink()  # e.g. deleted by hand while checkpoints stayed
  config = tiny_config()
  config.model.code_dim = 5
  with pytest.raises(ConfigError, match='holds another model or optimizer than this config'):
    train.train_and_evaluate(config, str(workdir))
  assert not (workdir / 'config.json').exists()  # the refused run wrote none of its own


@pytest.mark.slow
def test_nan_stops_with_the_last_good_checkpoint_kept(tmp_path, mock_tfds):
  del mock_tfds
  config = tiny_config('v3')
  train.train_and_evaluate(config, str(tmp_path))
  good = checkpoint.Checkpoints(str(tmp_path / 'checkpoints'), 3)
  template = new_train_state(config, steps.init_key(0), 3)
  good_state, _, _ = good.restore_latest(template, train_loops.new_epoch_sums(tasks.RECONSTRUCT))

  config.num_epochs = 4
  config.optim.learning_rate = 1e12
  with pytest.raises(Diverged, match=r'^loss became NaN at epoch 3 \(step \d+\)$') as raised:
    train.train_and_evaluate(config, str(tmp_path))
  assert (raised.value.exit_code, raised.value.last_good_epoch) == (3, 2)
  assert _metrics_epochs(tmp_path)[:2] == [1, 2]  # the finished epochs' rows are kept
  after = checkpoint.Checkpoints(str(tmp_path / 'checkpoints'), 3)
  assert after.latest_position() == checkpoint.Position(2, 2)
  kept_state, _, _ = after.restore_latest(template, train_loops.new_epoch_sums(tasks.RECONSTRUCT))
  _assert_same_state(good_state, kept_state)


@pytest.mark.slow
def test_a_nan_gradient_with_a_finite_loss_stops_the_run_and_saves_nothing_non_finite(
    finished_tiny_run, tmp_path, mock_tfds, monkeypatch):
  """The step applies it (its loss is finite); the next step's loss is NaN, and the run
  ends as any divergence does, one step later than the gradient went bad."""
  del mock_tfds  # 3 steps per epoch: epoch 3's first step (7) has the NaN gradient
  workdir = _copy_of(finished_tiny_run, tmp_path)
  model_bytes = (workdir / run_files.MODEL_FILE).read_bytes()
  config = tiny_config()
  template = new_train_state(config, steps.init_key(0), 3)
  sums = train_loops.new_epoch_sums(tasks.RECONSTRUCT)
  good_state, _, _ = checkpoint.Checkpoints(str(workdir / 'checkpoints'), 3).restore_latest(
      template, sums)
  from_config = losses.from_config
  monkeypatch.setattr(losses, 'from_config',
                      lambda *args: NanGradientLoss(from_config(*args)))
  config.num_epochs = 3
  with pytest.raises(Diverged, match=r'^loss became NaN at epoch 3 \(step 8\)$') as raised:
    train.train_and_evaluate(config, str(workdir))
  assert (raised.value.exit_code, raised.value.last_good_epoch) == (3, 2)
  after = checkpoint.Checkpoints(str(workdir / 'checkpoints'), 3)
  assert after.latest_position() == checkpoint.Position(2, 2)
  kept_state, _, _ = after.restore_latest(template, sums)
  _assert_same_state(good_state, kept_state)
  assert (workdir / run_files.MODEL_FILE).read_bytes() == model_bytes


@pytest.mark.slow
@pytest.mark.parametrize('clip_norm, largest_update', [(0.0, 1e-3), (1e-9, 1e-4)])
def test_clip_norm_clips_before_adam(clip_norm, largest_update, make_key):
  config = tiny_config('v1')
  config.optim.clip_norm = clip_norm
  state = new_train_state(config, make_key(), 10)
  grads = jax.tree.map(lambda p: jax.random.normal(make_key(), p.shape), state.params)
  updates, _ = state.tx.update(grads, state.opt_state, state.params)
  largest = max(float(np.abs(u).max()) for u in jax.tree.leaves(updates))
  # Adam's first update is lr * g / (|g| + 1e-8): about lr unclipped; a gradient clipped
  # to a global norm of 1e-9 sits below epsilon and moves the parameters far less.
  assert largest == pytest.approx(largest_update, rel=0.05) if clip_norm == 0 else \
      largest < largest_update


@pytest.mark.slow
def test_disk_full_during_a_checkpoint_keeps_the_previous_one(finished_tiny_run, tmp_path,
                                                              mock_tfds, monkeypatch):
  del mock_tfds
  workdir = _copy_of(finished_tiny_run, tmp_path)
  config = tiny_config()
  import orbax.checkpoint as ocp  # pylint: disable=import-outside-toplevel

  def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, 'No space left on device')

  monkeypatch.setattr(ocp.CheckpointManager, 'save', no_space)
  config.num_epochs = 3
  with pytest.raises(UserError, match=r'could not write the checkpoint .* previous checkpoint '
                                      r'\(step 6\) is intact'):
    train.train_and_evaluate(config, str(workdir))
  monkeypatch.undo()
  assert checkpoint.Checkpoints(str(workdir / 'checkpoints'), 3).latest_position() == \
      checkpoint.Position(2, 2)


def test_damaged_metrics_line_is_dropped_and_cut_from_the_file(tmp_path):
  files = run_files.RunFiles(str(tmp_path))
  (tmp_path / 'metrics.jsonl').write_text('{"epoch": 1, "train_loss": 0.5}\n{"epoch": 2, "tr')
  assert files.read_metrics() == [{'epoch': 1, 'train_loss': 0.5}]
  files.truncate_metrics(completed_epochs=1)
  assert (tmp_path / 'metrics.jsonl').read_text() == '{"epoch": 1, "train_loss": 0.5}\n'


@pytest.mark.slow
def test_stop_after_an_epochs_last_step_resumes_to_a_completed_epoch(tmp_path, mock_tfds,
                                                                     monkeypatch):
  del mock_tfds  # 3 steps per epoch; the 4th poll is the check after epoch 1's last step
  config = tiny_config('v1')
  config.train.loop = 'python'
  monkeypatch.setattr(interrupts, 'StopRequest', _StopAfterPolls)
  _StopAfterPolls.polls_left = 4
  with pytest.raises(Interrupted):
    train.train_and_evaluate(config, str(tmp_path))
  _StopAfterPolls.polls_left = -1
  train.train_and_evaluate(config, str(tmp_path))
  assert checkpoint.Checkpoints(str(tmp_path / 'checkpoints'), 3).latest_position() == \
      checkpoint.Position(2, 2)
  assert _metrics_epochs(tmp_path) == [1, 2]


@pytest.mark.slow
def test_fewer_epochs_than_a_workdir_trained_are_refused(finished_tiny_run, tmp_path, mock_tfds):
  del mock_tfds
  workdir = _copy_of(finished_tiny_run, tmp_path)
  config = tiny_config()
  config.num_epochs = 1
  with pytest.raises(ConfigError, match='^--config.num_epochs 1 is below the 2 epochs'):
    train.train_and_evaluate(config, str(workdir))


# Subprocess tests: real signals and kill -9 against `python -m tests.main_with_mock_data`.

LONG_RUN_EPOCHS = 5  # room for a kill after a save and after the next epoch; each epoch costs a save
LONG_RUN_FLAGS = ('--config=configs/v4.py', '--config.model.code_dim=4', '--config.batch_size=8',
                  '--config.eval_batch_size=16', f'--config.num_epochs={LONG_RUN_EPOCHS}',
                  '--config.num_reconstructions=2', '--config.keep_checkpoints=2')


class _Run:
  """A main.py subprocess whose console (stdout and stderr, one pipe) the test reads as it goes."""

  def __init__(self, workdir):
    self.process = subprocess.Popen(
        [sys.executable, '-m', 'tests.main_with_mock_data', f'--workdir={workdir}',
         *LONG_RUN_FLAGS], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env={**os.environ, 'JAX_AE_MOCK_EXAMPLES': '64'})
    self.lines = []

  def read_until(self, text: str) -> bool:
    """Reads the console up to the next line holding `text`; False if the run ended first."""
    for line in self.process.stdout:
      self.lines.append(line)
      if text in line:
        return True
    return False

  def wait(self, timeout=600):
    rest, _ = self.process.communicate(timeout=timeout)
    self.lines.append(rest)
    return self.process.returncode

  def log(self):
    return ''.join(self.lines)


SAVED = 'Saved checkpoint at step'  # checkpoint.py logs it once a save is complete
EPOCH_ENDED = f'/{LONG_RUN_EPOCHS}  train_loss'  # the console's line of an evaluated epoch


@pytest.fixture(scope='module')
def uninterrupted_model(tmp_path_factory):
  workdir = tmp_path_factory.mktemp('uninterrupted')
  run = _Run(workdir)
  assert run.wait() == 0, run.log()[-3000:]
  return (workdir / 'model.msgpack').read_bytes()


@pytest.mark.slow
def test_ctrl_c_checkpoints_and_the_same_command_resumes(tmp_path, uninterrupted_model):
  # SIGTERM takes the same path to its own exit code (143): tests/test_interrupts.py.
  signal_number, exit_code = signal.SIGINT, 130
  workdir = tmp_path / 'run'
  run = _Run(workdir)
  assert run.read_until(SAVED), run.log()[-3000:]  # past start-up, into the second epoch
  run.process.send_signal(signal_number)
  assert run.wait(timeout=120) == exit_code
  message = run.log()
  assert f'stopped: {signal_number.name} at epoch' in message and 'run the same command to resume' in message
  assert 'Traceback' not in message
  run = _Run(workdir)
  assert run.wait() == 0, run.log()[-3000:]
  assert (workdir / 'model.msgpack').read_bytes() == uninterrupted_model


# Each run is killed after a checkpoint of its own (so past start-up), then: at once, as
# the next epoch trains (the quick lane's moment); or once that epoch is evaluated, as its
# metrics, pictures and checkpoint are written, and the run that resumes from that is
# killed at once again.
KILL_MOMENTS = {
    'as_an_epoch_trains': ((SAVED,),),
    'as_an_epoch_ends_then_on_resuming': ((SAVED, EPOCH_ENDED), (SAVED,)),
}


@pytest.mark.parametrize('moment', [
    'as_an_epoch_trains',
    pytest.param('as_an_epoch_ends_then_on_resuming', marks=pytest.mark.slow),
])
def test_kill_9_at_any_moment_of_an_epoch_still_finishes_identically(moment, tmp_path,
                                                                     uninterrupted_model):
  workdir = tmp_path / 'run'
  for kill_after in KILL_MOMENTS[moment]:
    run = _Run(workdir)
    for text in kill_after:
      if not run.read_until(text):
        break  # the run ended first
    run.process.kill()
    returncode = run.wait()
    assert returncode in (0, -signal.SIGKILL), run.log()[-3000:]
    if returncode == 0:  # it finished all its epochs first: none left to kill
      break
  run = _Run(workdir)
  assert run.wait() == 0, run.log()[-3000:]
  assert (workdir / 'model.msgpack').read_bytes() == uninterrupted_model
  assert _metrics_epochs(workdir) == list(range(1, LONG_RUN_EPOCHS + 1))


@pytest.mark.slow
def test_a_run_stopped_in_one_loop_resumes_in_the_other(tmp_path, mock_tfds, monkeypatch):
  del mock_tfds  # 3 steps per epoch
  config = tiny_config('v4')
  config.train.loop = 'python'
  reference = train.train_and_evaluate(config, str(tmp_path / 'reference'))
  monkeypatch.setattr(interrupts, 'StopRequest', _StopAfterPolls)
  _StopAfterPolls.polls_left = 6  # epoch 2, after its first step
  with pytest.raises(Interrupted):
    train.train_and_evaluate(config, str(tmp_path / 'run'))
  _StopAfterPolls.polls_left = -1
  config.train.loop = 'scan'
  config.train.steps_per_call = 2
  resumed = train.train_and_evaluate(config, str(tmp_path / 'run'))
  assert int(resumed.step) == int(reference.step) == 6
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6),
               reference.params, resumed.params)
  assert _metrics_epochs(tmp_path / 'run') == [1, 2]


def test_a_workdir_from_before_new_config_fields_still_resumes(tmp_path):
  config = tiny_config()
  previous = json.loads(config.to_json())
  del previous['task'], previous['augment'], previous['model']['hidden_units']  # added later
  (tmp_path / 'config.json').write_text(json.dumps(previous))
  config_checks.check_same_run(config, str(tmp_path))  # no ConfigError
  config.model.code_dim = 5
  with pytest.raises(ConfigError, match=r'model.code_dim \(4 -> 5\)'):
    config_checks.check_same_run(config, str(tmp_path))


@pytest.mark.parametrize('field, value', (('optim.ema_decay', 0.999),
                                          ('optim.reconstruction_loss', 'bce')))
def test_a_run_refuses_to_resume_with_another_ema_decay_or_reconstruction_loss(
    field, value, tmp_path):
  config = tiny_config('v2')
  (tmp_path / 'config.json').write_text(config.to_json())
  group, name = field.split('.')
  config[group][name] = value
  with pytest.raises(ConfigError, match=rf'--config.{field} '):
    config_checks.check_same_run(config, str(tmp_path))


def test_a_cosine_run_refuses_more_epochs_on_resume_and_an_exponential_one_takes_them(
    tmp_path):
  config = tiny_config()
  (tmp_path / 'config.json').write_text(config.to_json())
  config.num_epochs += 3
  config_checks.check_same_run(config, str(tmp_path))  # the exponential decay does not end
  config.optim.schedule = 'cosine'
  (tmp_path / 'config.json').write_text(config.to_json())
  config.num_epochs += 3
  with pytest.raises(ConfigError, match=r'num_epochs \(\d+ -> \d+\)'):
    config_checks.check_same_run(config, str(tmp_path))


@pytest.mark.parametrize('stopped_before_an_epoch_ended', [False, True])
def test_redone_epochs_replace_their_tensorboard_points(stopped_before_an_epoch_ended, tmp_path,
                                                        monkeypatch):
  from tensorboard.backend.event_processing import event_accumulator  # pylint: disable=g-import-not-at-top
  from tensorboard.summary.writer import event_file_writer  # pylint: disable=g-import-not-at-top
  # Event files are read in name order, and names start with the creation second:
  # give each writer its own second, as runs started apart have.
  seconds = iter(range(1_800_000_000, 1_800_000_100))
  monkeypatch.setattr(event_file_writer, 'time', type('Clock', (), {
      'time': staticmethod(lambda: next(seconds))}))

  def resume_after(completed_epochs):  # as train.train_and_evaluate does
    run = run_files.RunFiles(str(tmp_path))
    events = tensorboard_events.EventWriter(str(tmp_path))
    purged_from_step = run.truncate_metrics(completed_epochs)
    if purged_from_step is not None:
      events.purge_from(purged_from_step)
    return run, events

  def write_epoch(run, events, row):
    run.append_metrics(row)
    events.write(row['step'], {'test_loss': row['test_loss']})

  first_run = resume_after(0)
  for epoch in (1, 2, 3):
    write_epoch(*first_run, {'epoch': epoch, 'step': 3 * epoch, 'test_loss': 1.0 / epoch})
  # The newest checkpoint held epoch 1; a resume may itself be stopped within epoch 2.
  if stopped_before_an_epoch_ended:
    resume_after(1)
  write_epoch(*resume_after(1), {'epoch': 2, 'step': 6, 'test_loss': 0.25})
  events = event_accumulator.EventAccumulator(str(tmp_path))
  events.Reload()
  assert [(event.step, event.value) for event in events.Scalars('test_loss')] == \
      [(3, 1.0), (6, 0.25)]


# Damaged checkpoints: real files of a finished tiny run, damaged on disk.

def _resume_one_more_epoch(workdir):
  config = tiny_config()
  config.num_epochs = 3
  return train.train_and_evaluate(config, str(workdir))


@pytest.mark.slow
@pytest.mark.parametrize('damage', CHECKPOINT_DAMAGES)
@pytest.mark.filterwarnings('error::pytest.PytestUnraisableExceptionWarning')
def test_a_damaged_newest_checkpoint_falls_back_to_the_older_one(damage, finished_tiny_run,
                                                                 tmp_path, mock_tfds, caplog):
  del mock_tfds
  workdir = _copy_of(finished_tiny_run, tmp_path)
  CHECKPOINT_DAMAGES[damage](workdir / 'checkpoints' / '6')
  damaged = checkpoint.Checkpoints(str(workdir / 'checkpoints'), 3)
  damaged.latest_position()  # the NaN message's "last good checkpoint" reads past damage
  template = new_train_state(tiny_config(), steps.init_key(0), 3)
  assert damaged.restore_latest(template, train_loops.new_epoch_sums(tasks.RECONSTRUCT))[2] == checkpoint.Position(1, 1)
  assert damaged.latest_position() == checkpoint.Position(1, 1)
  damaged.close()
  if damage not in ('truncated manifest', 'one flipped byte'):
    return  # past the fallback a resume is the same for every damage: two of its ways to fail
  caplog.clear()
  (workdir / 'checkpoints' / '6.damaged').rename(workdir / 'checkpoints' / '6')
  _resume_one_more_epoch(workdir)
  warnings = [r.getMessage() for r in caplog.records if 'cannot be read' in r.getMessage()]
  assert len(warnings) == 1 and 'checkpoint of step 6' in warnings[0], warnings
  assert '\n' not in warnings[0]
  assert _metrics_epochs(workdir) == [1, 2, 3]  # epoch 2 redone from the step-3 checkpoint
  assert sorted(os.listdir(workdir / 'checkpoints')) == ['3', '6', '6.damaged', '9']


@pytest.mark.slow
def test_failed_restores_leave_no_read_behind(tmp_path, make_key, caplog):
  """When one array of a damaged step cannot be read, Orbax stops waiting for the others:
  none may report itself later, when the garbage collector reaches it ('Task exception
  was never retrieved' through logging, or an unraisable exception, which fails the
  test). A failed restore leaves such reads only now and then: twenty of them, of V1's
  default-size arrays, whose reads take long enough to overlap."""
  config = tiny_config()
  config.model.hidden_units = 1000
  state = new_train_state(config, make_key(), 3)
  sums = train_loops.new_epoch_sums(tasks.RECONSTRUCT)
  folder = tmp_path / 'checkpoints'
  checkpoints = checkpoint.Checkpoints(str(folder), 3)
  for step, epoch in ((3, 1), (6, 2)):
    checkpoints.save(state.replace(step=state.step + step), sums,
                     checkpoint.Position(epoch, epoch))
  checkpoints.close()
  CHECKPOINT_DAMAGES['truncated manifest'](folder / '6')

  def restore_past_the_damage():
    checkpoints = checkpoint.Checkpoints(str(folder), 3)
    assert checkpoints.restore_latest(state, sums)[2] == checkpoint.Position(1, 1)
    checkpoints.close()
    (folder / '6.damaged').rename(folder / '6')

  for _ in range(20):
    restore_past_the_damage()

  async def notebook_cell():  # a loop already runs: Orbax reads on a loop of its own
    for _ in range(10):
      restore_past_the_damage()

  asyncio.run(notebook_cell())
  # With every step damaged no good read follows the failed ones to give them time.
  CHECKPOINT_DAMAGES['truncated manifest'](folder / '3')
  for _ in range(20):
    checkpoints = checkpoint.Checkpoints(str(folder), 3)
    with pytest.raises(UserError, match=r'steps 3, 6 are damaged'):
      checkpoints.restore_latest(state, sums)
    checkpoints.close()
    for step in ('3', '6'):
      (folder / f'{step}.damaged').rename(folder / step)
  gc.collect()
  assert [record.getMessage() for record in caplog.records if record.name == 'asyncio'] == []


@pytest.mark.slow
def test_a_restore_leaves_the_event_loop_policy_alone(finished_tiny_run, tmp_path, monkeypatch):
  """asyncio's event-loop policy is the whole process's (and deprecated from Python 3.14): a
  restore, one past a damaged step included, neither sets one nor runs Orbax under another."""
  workdir = _copy_of(finished_tiny_run, tmp_path)
  CHECKPOINT_DAMAGES['truncated manifest'](workdir / 'checkpoints' / '6')
  policy = asyncio.get_event_loop_policy()
  policies_set, policies_seen_by_orbax = [], []
  monkeypatch.setattr(asyncio, 'set_event_loop_policy', policies_set.append)
  import orbax.checkpoint as ocp  # pylint: disable=g-import-not-at-top,import-outside-toplevel
  orbax_restore = ocp.CheckpointManager.restore

  def restore_seeing_the_policy(manager, *args, **kwargs):
    policies_seen_by_orbax.append(asyncio.get_event_loop_policy())
    return orbax_restore(manager, *args, **kwargs)

  monkeypatch.setattr(ocp.CheckpointManager, 'restore', restore_seeing_the_policy)
  checkpoints = checkpoint.Checkpoints(str(workdir / 'checkpoints'), 3)
  template = new_train_state(tiny_config(), steps.init_key(0), 3)
  assert checkpoints.latest_position() == checkpoint.Position(2, 2)
  assert checkpoints.restore_latest(
      template, train_loops.new_epoch_sums(tasks.RECONSTRUCT))[2] == checkpoint.Position(1, 1)
  checkpoints.close()
  assert policies_set == []
  assert policies_seen_by_orbax and all(seen is policy for seen in policies_seen_by_orbax)
  assert asyncio.get_event_loop_policy() is policy


def test_an_empty_step_folder_is_set_aside(finished_tiny_run, tmp_path, mock_tfds, caplog):
  del mock_tfds
  workdir = _copy_of(finished_tiny_run, tmp_path)
  (workdir / 'checkpoints' / '9999').mkdir()
  _resume_one_more_epoch(workdir)
  warnings = [r.getMessage() for r in caplog.records if 'cannot be read' in r.getMessage()]
  assert len(warnings) == 1 and 'checkpoint of step 9999' in warnings[0], warnings
  assert _metrics_epochs(workdir) == [1, 2, 3]  # resumed from step 6, not from scratch
  assert '9999.damaged' in os.listdir(workdir / 'checkpoints')


def test_no_readable_checkpoint_is_one_sentence_not_another_model(finished_tiny_run, tmp_path,
                                                                  mock_tfds):
  del mock_tfds
  workdir = _copy_of(finished_tiny_run, tmp_path)
  for step in ('3', '6'):
    CHECKPOINT_DAMAGES['truncated data file'](workdir / 'checkpoints' / step)
  with pytest.raises(UserError, match=r'no checkpoint in .* can be read \(steps 3, 6 are damaged'
                                      r'.*--config.restart=True') as raised:
    _resume_one_more_epoch(workdir)
  assert not isinstance(raised.value, ConfigError)
  assert 'another model' not in str(raised.value)


def test_duplicated_metrics_rows_keep_the_last_per_epoch(tmp_path):
  """As two runs that once shared the workdir, or a crash between a row and its checkpoint."""
  (tmp_path / 'metrics.jsonl').write_text(''.join(
      json.dumps({'epoch': epoch, 'step': 3 * epoch, 'test_loss': loss}) + '\n'
      for epoch, loss in ((1, 0.5), (2, 0.4), (2, 0.3), (3, 0.2), (3, 0.1))))
  files = run_files.RunFiles(str(tmp_path))
  assert [(row['epoch'], row['test_loss']) for row in files.read_metrics()] == \
      [(1, 0.5), (2, 0.3), (3, 0.1)]
  files.truncate_metrics(completed_epochs=2)
  assert _metrics_epochs(tmp_path) == [1, 2]
  assert json.loads((tmp_path / 'metrics.jsonl').read_text().splitlines()[1])['test_loss'] == 0.3


def test_non_finite_metrics_are_written_as_null(tmp_path):
  files = run_files.RunFiles(str(tmp_path))
  files.append_metrics({'epoch': 1, 'step': 3, 'train_loss': float('nan'),
                        'test_loss': float('inf'), 'learning_rate': 1e-3})
  line = (tmp_path / 'metrics.jsonl').read_text()
  assert json.loads(line, parse_constant=lambda token: pytest.fail(f'bare {token}')) == {
      'epoch': 1, 'step': 3, 'train_loss': None, 'test_loss': None, 'learning_rate': 1e-3}
  assert np.isnan(files.read_metrics()[0]['test_loss'])


def test_a_failed_atomic_write_leaves_no_temporary_file(tmp_path, monkeypatch):
  def no_space(*args):
    raise OSError(errno.ENOSPC, 'No space left on device')

  monkeypatch.setattr(os, 'fsync', no_space)
  with pytest.raises(OSError, match='No space left'):
    run_files.write_atomically(str(tmp_path / 'model.msgpack'), b'params')
  assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_a_mid_epoch_checkpoint_from_before_the_norm_was_sampled_resumes_its_sums(tmp_path,
                                                                                 make_key):
  """Its sums have no 'grad_norm_steps': each of its steps measured the norm."""
  config = tiny_config('v1')
  state = new_train_state(config, make_key(), 3)
  sums = train_loops.new_epoch_sums(tasks.RECONSTRUCT)
  earlier_sums = {**{name: value for name, value in sums.items() if name != 'grad_norm_steps'},
                  'steps': np.int32(2), 'grad_norm': np.float32(0.5)}
  checkpoint.Checkpoints(str(tmp_path), 3).save(state, earlier_sums, checkpoint.Position(1, 0))
  _, restored, position = checkpoint.Checkpoints(str(tmp_path), 3).restore_latest(state, sums)
  assert position == checkpoint.Position(1, 0) and set(restored) == set(earlier_sums)
  completed = train_loops.completed_sums(restored)
  assert set(completed) == set(sums)
  assert (int(completed['grad_norm_steps']), float(completed['grad_norm'])) == (2, 0.5)


@pytest.mark.slow
def test_non_finite_parameters_never_reach_a_checkpoint(tmp_path, make_key):
  config = tiny_config('v4')  # BatchNorm: its running statistics are checked too
  state = new_train_state(config, make_key(), 3)
  checkpoints = checkpoint.Checkpoints(str(tmp_path / 'checkpoints'), 3)
  checkpoints.save(state, train_loops.new_epoch_sums(tasks.RECONSTRUCT), checkpoint.Position(1, 1))
  step_of_last_good = int(state.step)
  state = state.replace(step=state.step + 3)
  for spoiled in ({'params': jax.tree.map(lambda leaf: leaf * np.inf, state.params)},
                  {'batch_stats': jax.tree.map(lambda leaf: leaf + np.nan, state.batch_stats)}):
    with pytest.raises(Diverged, match=r'^the parameters became non-finite at epoch 2 '
                                       r'\(step 3\)$') as raised:
      checkpoints.save(state.replace(**spoiled), train_loops.new_epoch_sums(tasks.RECONSTRUCT),
                       checkpoint.Position(2, 2))
    assert (raised.value.exit_code, raised.value.last_good_epoch) == (3, 1)
  assert checkpoints._manager.all_steps() == [step_of_last_good]  # pylint: disable=protected-access
