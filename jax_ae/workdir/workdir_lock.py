"""One run per workdir: an exclusive `flock` on `workdir/.lock`, held for the whole run.

A flock belongs to the open file and the kernel drops it when its holder exits, however
it exits (kill -9 included): a lock file left by a dead process is simply taken over,
with no stale-lock guessing. The holder writes its PID into the file so that a refused
run can name it. A refused run exits 1 (UserError): the command is right, the workdir
is busy; it leaves the holder's log.txt as it was (console.drop_log).
"""

import fcntl
import os
import time
from typing import Dict, IO

from jax_ae.errors import UserError
from jax_ae.workdir import console

LOCK_FILE = '.lock'
HOLDER_PID_WAITS = 20
HOLDER_PID_WAIT_SECONDS = 0.05
# The lock files this process holds, by real path: taking one again is a no-op, so a
# process may run train_and_evaluate on one workdir twice (the tests do).
_held: Dict[str, IO[str]] = {}


def acquire(workdir: str) -> None:
  """Takes the workdir's lock for this process; UserError naming the holder if it is taken."""
  path = os.path.realpath(os.path.join(workdir, LOCK_FILE))
  if path in _held:
    return
  lock_file = open(path, 'a+')  # pylint: disable=consider-using-with
  try:
    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
  except BlockingIOError:
    holder = _holder_pid(lock_file)
    lock_file.close()
    console.drop_log()  # the workdir's log.txt is the holder's
    raise UserError(f'workdir {workdir!r} is in use by another run (PID {holder}); wait for '
                    f'it to end, or use another --workdir.') from None
  lock_file.seek(0)
  lock_file.truncate()
  lock_file.write(f'{os.getpid()}\n')
  lock_file.flush()
  _held[path] = lock_file


def _holder_pid(lock_file: IO[str]) -> str:
  """The PID the holder wrote into the lock file; it writes it just after taking the lock,
  so a run refused at that instant waits up to a second for it."""
  for _ in range(HOLDER_PID_WAITS):
    lock_file.seek(0)
    holder = lock_file.read().strip()
    if holder:
      return holder
    time.sleep(HOLDER_PID_WAIT_SECONDS)
  return 'unknown'


def release(workdir: str) -> None:
  """Drops this process's lock on the workdir, if it holds one."""
  lock_file = _held.pop(os.path.realpath(os.path.join(workdir, LOCK_FILE)), None)
  if lock_file is not None:
    lock_file.close()  # closing the file releases the flock
