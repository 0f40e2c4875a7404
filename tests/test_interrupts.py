"""interrupts.py: what SIGINT and SIGTERM do to a run, in this process and in main.py's."""

import os
import signal
import subprocess
import sys

import pytest

from jax_ae.runtime import interrupts
from tests.helpers import REPO_ROOT

TINY_FLAGS = ('--config.model.code_dim=4', '--config.model.hidden_units=16',
              '--config.batch_size=8', '--config.eval_batch_size=16', '--config.num_epochs=2',
              '--config.num_reconstructions=4')


def test_once_a_run_was_signalled_ctrl_c_is_ignored_on_the_way_out():
  before = signal.getsignal(signal.SIGINT)
  try:
    with interrupts.StopRequest() as stop:
      pass
    assert signal.getsignal(signal.SIGINT) is before  # no signal: handlers as they were
    with interrupts.StopRequest() as stop:
      os.kill(os.getpid(), signal.SIGTERM)
    assert stop.requested and stop.exit_code == 143
    # JAX's and Orbax's exit handlers run after this: a Ctrl-C there must not raise.
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    with pytest.raises(KeyboardInterrupt):
      with interrupts.StopRequest():
        os.kill(os.getpid(), signal.SIGINT)  # the first: stop after this call
        os.kill(os.getpid(), signal.SIGINT)  # the second: at once
        for _ in range(1000):
          pass  # Python runs signal handlers between bytecodes
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
  finally:
    signal.signal(signal.SIGINT, before)


def _stop_at(phase, signal_name, workdir, *flags):
  """main.py in a subprocess that signals itself at `phase` (tests/signal_at.py)."""
  command = [sys.executable, '-m', 'tests.signal_at', phase, signal_name,
             '--config=configs/v1.py', f'--workdir={workdir}', *TINY_FLAGS, *flags]
  return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                        check=False)


def _assert_one_stopped_line(result, signal_number):
  assert result.returncode == 128 + signal_number, result.stderr
  lines = [line for line in result.stderr.splitlines() if line.strip()]
  assert [line for line in lines if line.startswith('stopped:')] == lines[-1:], result.stderr
  assert 'Traceback' not in result.stderr and 'Exception ignored' not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize('phase, signal_name', [
    ('imports', 'SIGINT'), ('data', 'SIGTERM'), ('compile', 'SIGINT'), ('bench', 'SIGINT'),
    ('report', 'SIGTERM')])
def test_a_stop_at_any_moment_exits_with_one_line_and_its_code(phase, signal_name, tmp_path):
  flags = {'bench': ('--mode=bench', '--config.bench.batch_sizes=8',
                     '--config.bench.repetitions=1'),
           'report': ('--mode=report', f'--runs={tmp_path}/*')}
  result = _stop_at(phase, signal_name, tmp_path / 'run', *flags.get(phase, ()))
  _assert_one_stopped_line(result, getattr(signal, signal_name))
  if phase == 'compile':  # a train step ran: it was checkpointed, and the same command resumes
    assert 'checkpoint saved; run the same command to resume.' in result.stderr
    finished = _stop_at('none', signal_name, tmp_path / 'run')
    assert finished.returncode == 0, finished.stderr
    # Then --mode=evaluate on the finished run, stopped as it measures: no eval.json.
    result = _stop_at('evaluate', 'SIGTERM', tmp_path / 'run', '--mode=evaluate',
                      f'--config.evaluate.cache_dir={tmp_path / "cache"}')
    _assert_one_stopped_line(result, signal.SIGTERM)
    assert not (tmp_path / 'run' / 'eval.json').exists()
  else:
    assert 'nothing to save' in result.stderr
    assert not list(tmp_path.glob('run/checkpoints/*'))  # no checkpoint, not even half of one


def test_a_signal_the_process_was_started_ignoring_stays_ignored():
  before = {number: signal.getsignal(number) for number in interrupts.StopRequest.SIGNALS}
  try:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as under nohup
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    interrupts.exit_on_signals()
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert signal.getsignal(signal.SIGTERM) is interrupts._exit_now  # pylint: disable=protected-access
  finally:
    for number, handler in before.items():
      signal.signal(number, handler)
