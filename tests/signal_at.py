"""`python -m tests.signal_at PHASE SIGNAL ARGS...`: main.py on mock arrays, signalling
itself once at PHASE, so that a test fixes the moment a stop lands instead of guessing
it with a timer.

PHASE: imports (before main.py's heavy imports), data (as the dataset loads),
compile (just before the train step's first call, which compiles it), evaluate (as
--mode=evaluate measures), bench (as --mode=bench measures), report (as --mode=report
looks for its runs). SIGNAL: SIGINT or SIGTERM.
"""

import os
import signal
import sys

from jax_ae.runtime import interrupts

PHASE, SIGNAL = sys.argv[1], getattr(signal, sys.argv[2])
del sys.argv[1:3]


def _signal_self() -> None:
  os.kill(os.getpid(), SIGNAL)


def _signalling_first(module, name: str) -> None:
  """Makes `module.name` signal this process once, at its first call, then run."""
  original = getattr(module, name)

  def wrapper(*args, **kwargs):
    setattr(module, name, original)
    _signal_self()
    return original(*args, **kwargs)

  setattr(module, name, wrapper)


# SIGINT's default disposition, as from a terminal: a test session started in the
# background of a shell hands its processes SIGINT ignored, which main.py rightly keeps.
signal.signal(signal.SIGINT, signal.SIG_DFL)
interrupts.exit_on_signals()  # as main.py's first line does
if PHASE == 'imports':
  _signal_self()

# pylint: disable=g-import-not-at-top,wrong-import-position
from absl import app

import main
from jax_ae.datasets import data
from jax_ae.measure import bench
from jax_ae.measure import evaluate
from jax_ae.measure import report
from jax_ae.training import train_loops
from tests import helpers
from tests import mock_arrays

if __name__ == '__main__':
  mock_arrays.install(helpers.MOCK_EXAMPLES)
  target = {'data': (data, 'load_dataset'), 'compile': (train_loops.Trainer, '_call_step'),
            'evaluate': (evaluate, 'probe_accuracy'), 'bench': (bench, 'measure'),
            'report': (report, 'find_workdirs')}.get(PHASE)
  if target:
    _signalling_first(*target)
  app.run(main.main, flags_parser=main.parse_flags)
