"""The settings a training process wants, applied in one named call by the program that trains.

Importing jax_ae changes nothing in the process: a notebook that imports it keeps its
environment, allocator, hooks and log handlers. `configure_process` is what main.py
calls first thing, and what `api.configure_process` offers a notebook:

- glibc keeps freed memory for the next step (runtime/host_memory.py; off with
  JAX_AE_KEEP_HOST_MEMORY=0);
- XLA:CPU computes convolutions in its own kernels, not YNNPACK's
  (runtime/xla_cpu.py; off with JAX_AE_XLA_CPU_FLAGS=0, or a choice in XLA_FLAGS);
- below `verbosity` 1, TensorFlow's C++ notices and tfds' progress bars stay off the
  console (TF_CPP_MIN_LOG_LEVEL=2, TF_ENABLE_ONEDNN_OPTS=0, TQDM_DISABLE=1; a variable
  already set is left as it is);
- compiled programs are kept in JAX's persistent compilation cache
  (`compilation_cache_dir`, main.py's --compilation_cache_dir; '' = off), so a repeated
  or resumed run loads its train step instead of compiling it again. A cache JAX was
  already given (JAX_COMPILATION_CACHE_DIR, jax.config) is left as it is.

XLA and the allocator read these once, when JAX's backend starts, and TensorFlow and
tqdm when they are imported: call it before the first JAX computation and before the
first dataset is loaded. Called later, it says which settings came too late.
"""

import os
import sys
from typing import Dict, Optional

from jax_ae.runtime import host_memory
from jax_ae.runtime import xla_cpu

# Where compiled programs are kept between runs (main.py's --compilation_cache_dir).
DEFAULT_COMPILATION_CACHE_DIR = os.path.join('~', '.cache', 'jax_ae', 'xla')

# Read once by TensorFlow and tqdm, when imported.
QUIET_NATIVE_LOGS = {
    'TF_CPP_MIN_LOG_LEVEL': '2',  # AVX and other C++ notices
    # TensorFlow 2.21 prints its oneDNN notice (and absl's "before InitializeLog" line)
    # whatever TF_CPP_MIN_LOG_LEVEL says; with oneDNN's custom operations off it prints
    # neither. They only decode and batch tfds' uint8 images, exactly either way.
    'TF_ENABLE_ONEDNN_OPTS': '0',
    'TQDM_DISABLE': '1',  # tfds' download and preparation bars
}


def _backend_started() -> bool:
  if 'jax' not in sys.modules:
    return False
  from jax._src import xla_bridge  # pylint: disable=g-import-not-at-top
  return xla_bridge.backends_are_initialized()


def use_compilation_cache(folder: Optional[str]) -> bool:
  """Keeps compiled programs in `folder` (created as needed); '' or None: no cache.

  False, changing nothing, where JAX already has a cache folder (the environment's
  JAX_COMPILATION_CACHE_DIR, or set by the program). Programs that compiled in under a
  second are not kept: loading them would save nothing.
  """
  import jax  # pylint: disable=g-import-not-at-top
  if not folder or jax.config.jax_compilation_cache_dir:
    return False
  jax.config.update('jax_compilation_cache_dir', os.path.expanduser(folder))
  return True


def configure_process(verbosity: int = 0, compilation_cache_dir: Optional[str] = None
                      ) -> Dict[str, bool]:
  """Applies the settings above; {setting: whether it took effect here}.

  Idempotent. Where JAX's backend already runs, the allocator and XLA settings can no
  longer take effect and are reported False (with one warning), not applied halfway.
  `compilation_cache_dir`: None leaves JAX's compilation cache as it is (main.py sets it
  once its flags are read).
  """
  applied = {}
  if _backend_started():
    applied['host_memory'] = applied['xla_convolutions'] = False
    print('warning: jax-ae\'s process settings (allocator, XLA flags) come too late: JAX '
          'has started; call configure_process() before the first JAX computation.',
          file=sys.stderr)
  else:
    applied['host_memory'] = host_memory.keep_freed_memory()
    applied['xla_convolutions'] = xla_cpu.prefer_xla_convolutions()
  applied['compilation_cache'] = use_compilation_cache(compilation_cache_dir)
  applied['quiet_native_logs'] = verbosity < 1
  if verbosity < 1:
    for name, value in QUIET_NATIVE_LOGS.items():
      os.environ.setdefault(name, value)
  return applied
