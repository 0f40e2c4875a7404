"""Several processes (hosts) training one run: JAX's distributed runtime, primary-only files.

Every process runs the same program on the same data and takes part in every jitted
computation (the mesh spans all their devices); only process 0, the primary, writes
the workdir's files and logs at INFO. MNIST is small, so each process holds the whole
dataset and its devices gather their slices of each global batch from it.
"""

import os
from typing import Callable, Optional, TypeVar

from absl import logging
import jax
from jax.experimental import multihost_utils

from jax_ae import errors
from jax_ae.errors import UserError

T = TypeVar('T')

# Read when the matching flag is not given; JAX itself reads JAX_COORDINATOR_ADDRESS.
NUM_PROCESSES_ENV = 'JAX_NUM_PROCESSES'
PROCESS_ID_ENV = 'JAX_PROCESS_ID'
COORDINATOR_ENV = 'JAX_COORDINATOR_ADDRESS'


def _int_from_env(name: str) -> Optional[int]:
  value = os.environ.get(name)
  if value is None:
    return None
  try:
    return int(value)
  except ValueError as error:
    raise UserError(f'environment variable {name}={value!r} must be an integer.') from error


def initialize(coordinator_address: str = '', num_processes: Optional[int] = None,
               process_id: Optional[int] = None, auto_detect: bool = False) -> None:
  """Joins the run's processes, when asked by the arguments or the environment.

  With a coordinator address (argument or JAX_COORDINATOR_ADDRESS), the process count
  and this process's id come from the arguments or JAX_NUM_PROCESSES / JAX_PROCESS_ID.
  `auto_detect` lets JAX find them on a cluster it knows (Slurm, Open MPI, Cloud TPU).
  Without either, this is a single-process run and nothing happens.
  """
  coordinator_address = coordinator_address or os.environ.get(COORDINATOR_ENV, '')
  if not coordinator_address and not auto_detect:
    return
  if num_processes is None:
    num_processes = _int_from_env(NUM_PROCESSES_ENV)
  if process_id is None:
    process_id = _int_from_env(PROCESS_ID_ENV)
  if coordinator_address and (num_processes is None or process_id is None):
    raise UserError(f'a multi-process run at {coordinator_address} needs --num_processes and '
                    f'--process_id (or {NUM_PROCESSES_ENV} and {PROCESS_ID_ENV}).')
  try:
    jax.distributed.initialize(coordinator_address=coordinator_address or None,
                               num_processes=num_processes, process_id=process_id)
  except (RuntimeError, ValueError) as error:
    raise UserError(f'could not join the multi-process run: '
                    f'{errors.first_line(error)}') from error
  if not is_primary():
    logging.set_verbosity(logging.WARNING)
  logging.info('Process %d of %d; %d devices in all, %d here.', jax.process_index(),
               jax.process_count(), jax.device_count(), jax.local_device_count())


def is_primary() -> bool:
  """True in the one process that writes files and logs (always, in a single process)."""
  return jax.process_index() == 0


def primary_first(load: Callable[[], T], name: str) -> T:
  """`load()` in the primary, then in the others: e.g. tfds prepares a dataset only once."""
  if jax.process_count() == 1:
    return load()
  result = load() if is_primary() else None
  multihost_utils.sync_global_devices(f'{name} ready')
  return result if is_primary() else load()
