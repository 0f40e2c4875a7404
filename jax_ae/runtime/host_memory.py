"""Host memory policy: freed buffers stay in the process for the next step to reuse.

XLA:CPU gives each execution of a compiled step one temporary buffer for all its
intermediates (mnist10's train step at batch 64: about 87 MB). glibc's malloc serves any
request above 32 MB with a fresh `mmap` and unmaps it on free, so every step faulted in
and zeroed that many new pages (22,000 page faults, about a third of the step's CPU
time) while PyTorch, whose per-op tensors stay under glibc's threshold, reused its
memory. `keep_freed_memory` tells glibc to serve every request from its heap and to
keep what is freed there (the way tcmalloc and jemalloc behave by default), so the
second step reuses the first one's pages. The cost is that the process keeps its peak
heap until it exits.

It must run before JAX starts its CPU threads: each of those takes a malloc arena of
its own when it first allocates, and only a single arena obeys these settings for
large requests. `settings.configure_process` calls it (main.py, first thing); set JAX_AE_KEEP_HOST_MEMORY=0 to
leave the allocator alone. On anything but Linux with glibc it does nothing.
"""

import ctypes
import ctypes.util
import os
import platform

ENV_VAR = 'JAX_AE_KEEP_HOST_MEMORY'

# mallopt(3) parameters, from glibc's malloc.h.
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_M_ARENA_MAX = -8

_applied = False


def keep_freed_memory() -> bool:
  """Sets glibc's malloc to reuse freed memory; True where it took effect.

  One arena (threads share the main heap), no `mmap` for large requests, and no
  trimming of the heap's free top back to the system.
  """
  global _applied
  if _applied:
    return True
  if os.environ.get(ENV_VAR, '1') == '0' or platform.system() != 'Linux':
    return False
  if platform.libc_ver()[0] != 'glibc':
    return False
  try:
    libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
    mallopt = libc.mallopt
  except (OSError, AttributeError):
    return False
  mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
  mallopt.restype = ctypes.c_int
  _applied = all(mallopt(parameter, value) == 1 for parameter, value in (
      (_M_ARENA_MAX, 1), (_M_MMAP_MAX, 0), (_M_TRIM_THRESHOLD, 2**31 - 1)))
  return _applied
