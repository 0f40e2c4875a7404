"""XLA:CPU compiler flags: convolutions in XLA's own kernels, not YNNPACK's.

jaxlib 0.10 hands every convolution on the CPU to YNNPACK by default. On the 2-core AMD EPYC
VM this project is measured on, XLA's own (Eigen) convolution kernels compute the
same layers, forward and both gradients, faster, and the conv networks' train steps with
them (docs/performance.md, "Convolutions", has the figures and the commands).
`prefer_xla_convolutions` adds
`--xla_cpu_experimental_ynn_fusion_type=-individual_convolution` to XLA_FLAGS; YNNPACK
keeps the dense layers, reductions and element-wise fusions it is given by default.

XLA reads XLA_FLAGS once, when the first backend starts, so this must run before any JAX
computation: `settings.configure_process` calls it (main.py, first thing). It leaves XLA_FLAGS alone when they
already choose YNNPACK's fusions (the user's choice wins), and when JAX_AE_XLA_CPU_FLAGS=0.
On a GPU or TPU the flag is read and ignored.

The flag is experimental, so it is passed only to the jaxlib minors tested with it,
FIRST_JAXLIB to LAST_JAXLIB (constraints.txt pins one): an XLA that does not know a flag
in XLA_FLAGS aborts the process at start-up, and a later XLA may rename or drop this one.
Outside that range the flag is not passed and jaxlib's defaults apply (YNNPACK's
convolutions, where that jaxlib has them); raise LAST_JAXLIB once tests/test_xla_cpu.py
passes on the newer jaxlib.
"""

import importlib.metadata
import os
from typing import Dict, Optional, Tuple

ENV_VAR = 'JAX_AE_XLA_CPU_FLAGS'
FLAG_NAME = '--xla_cpu_experimental_ynn_fusion_type'
FLAG = f'{FLAG_NAME}=-individual_convolution'
# (major, minor) of the first and last jaxlib tested with the flag, both included.
FIRST_JAXLIB = (0, 10)
LAST_JAXLIB = (0, 10)


def _jaxlib_version():
  try:
    release = importlib.metadata.version('jaxlib').split('.')
    return tuple(int(part) for part in release[:2])
  except (importlib.metadata.PackageNotFoundError, ValueError):
    return None


def takes_flag(jaxlib_version: Optional[Tuple[int, int]]) -> bool:
  """Whether a jaxlib of this (major, minor), or None if unknown, was tested with FLAG."""
  return jaxlib_version is not None and FIRST_JAXLIB <= jaxlib_version <= LAST_JAXLIB


def prefer_xla_convolutions() -> bool:
  """Adds FLAG to XLA_FLAGS unless the user chose otherwise; True if XLA_FLAGS now hold it."""
  flags = os.environ.get('XLA_FLAGS', '')
  if FLAG_NAME in flags:
    return FLAG in flags.split()
  if os.environ.get(ENV_VAR, '1') == '0':
    return False
  if not takes_flag(_jaxlib_version()):
    return False
  os.environ['XLA_FLAGS'] = f'{flags} {FLAG}'.strip()
  return True


def without_preference(environ: Dict[str, str]) -> Dict[str, str]:
  """A copy of `environ` for a process that keeps jaxlib's default (YNNPACK convolutions),
  although this process's `settings.configure_process` added FLAG to its XLA_FLAGS."""
  flags = ' '.join(flag for flag in environ.get('XLA_FLAGS', '').split() if flag != FLAG)
  return {**environ, 'XLA_FLAGS': flags, ENV_VAR: '0'}
