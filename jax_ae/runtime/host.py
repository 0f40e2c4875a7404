"""The machine a figure was measured on, in one line: benchmarks print it with each table
and every training run records it (sessions.jsonl), so figures of different hosts are
never compared as one."""

import os
import platform

import jax
import jaxlib.version as jaxlib_version

_ISA_FLAGS = ('amx_tile', 'avx512_bf16', 'avx512f', 'avx2', 'sse4_2', 'neon', 'asimd')


def describe() -> str:
  """'AMD EPYC 7B13, avx512f avx2, 2 cores, jaxlib 0.10.2 on cpu (1 cpu)': the CPU model,
  its vector instructions, the cores this process may use, jaxlib, and the devices."""
  model, flags = platform.processor() or platform.machine(), set()
  try:
    with open('/proc/cpuinfo') as f:
      for line in f:
        key, _, value = line.partition(':')
        if key.strip() in ('model name', 'Model') and model in ('', platform.machine()):
          model = value.strip()
        elif key.strip() in ('flags', 'Features'):
          flags = set(value.split())
  except OSError:  # not Linux: the platform module's name only
    pass
  isa = ' '.join(flag for flag in _ISA_FLAGS if flag in flags) or 'ISA unknown'
  cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
  return (f'{model}, {isa}, {cores} cores, jaxlib {jaxlib_version.__version__} on '
          f'{jax.default_backend()} ({jax.device_count()} {jax.devices()[0].device_kind})')
