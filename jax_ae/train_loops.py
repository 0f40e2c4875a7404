"""The two train loops and which one `train.loop='auto'` picks on each backend.

python: a Python loop over one jitted, donated step; responsive to Ctrl-C after any
step. scan: many steps inside one jitted device loop; one dispatch per call.
"""

import jax

LOOPS = ('auto', 'python', 'scan')
# The faster loop per backend. CPU: measured by `python -m jax_ae.bench_all`
# (BENCHMARKS.md; scan 1.1-1.5x the python loop at batch 32). GPU and TPU: not yet
# measured; scan, since their steps for these small models are shorter than a dispatch.
FASTER_LOOP = {'cpu': 'scan', 'gpu': 'scan', 'tpu': 'scan'}


def resolve(loop: str) -> str:
  """'python' or 'scan': `loop` itself, or for 'auto' the faster one on this backend."""
  return FASTER_LOOP.get(jax.default_backend(), 'scan') if loop == 'auto' else loop
