"""The benchmarks' one timer: the median wall time of a call, after a warm-up.

Separate from jax_ae.measure.bench.median_seconds (the library's `--mode=bench`) because the
PyTorch and Keras peers run without jax_ae's process settings (its allocator,
jax_ae/runtime/host_memory.py, applied by `settings.configure_process`), and a peer that
imported the library would invite them; this module imports nothing of either.
"""

import statistics
import sys
import time
from typing import Any, Callable


def _wait(result: Any) -> None:
  """Blocks until a JAX result is computed; other frameworks' calls return when done."""
  jax = sys.modules.get('jax')
  if jax is not None:
    jax.block_until_ready(result)


def median_seconds(run: Callable[[], Any], repetitions: int, warm_up: bool = True) -> float:
  """Median seconds of `run()` over `repetitions` calls, after one untimed call."""
  if warm_up:
    _wait(run())
  times = []
  for _ in range(repetitions):
    start = time.perf_counter()
    _wait(run())
    times.append(time.perf_counter() - start)
  return statistics.median(times)
