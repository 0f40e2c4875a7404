"""interrupts.py: what SIGINT and SIGTERM do to a run, in this process."""

import os
import signal

import pytest

from jax_ae import interrupts


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
