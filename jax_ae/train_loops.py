"""The two train loops and which one `train.loop='auto'` picks on each backend.

python: a Python loop over one jitted, donated step; responsive to Ctrl-C after any
step. scan: many steps inside one jitted device loop; one dispatch per call.
"""

import jax

from jax_ae import models

LOOPS = ('auto', 'python', 'scan')
# The faster loop per backend, for dense and for convolutional models. CPU, dense:
# measured by `python -m jax_ae.bench_all` (BENCHMARKS.md; scan 1.1-1.5x the python
# loop at batch 32). CPU, convolutional: XLA:CPU runs convolutions inside a device
# loop about 10x slower than in a plain jitted step (a small CNN's step at batch 128:
# 62 ms alone, 720 ms per step inside a scan), so the python loop. GPU and TPU: not
# yet measured; scan, since their steps for these small models are shorter than a
# dispatch.
FASTER_LOOP = {
    'cpu': {'dense': 'scan', 'convolutional': 'python'},
    'gpu': {'dense': 'scan', 'convolutional': 'scan'},
    'tpu': {'dense': 'scan', 'convolutional': 'scan'},
}


def resolve(loop: str, model_name: str) -> str:
  """'python' or 'scan': `loop` itself, or for 'auto' the faster one for this model here."""
  if loop != 'auto':
    return loop
  kind = 'convolutional' if model_name in models.CONVOLUTIONAL_MODELS else 'dense'
  return FASTER_LOOP.get(jax.default_backend(), FASTER_LOOP['gpu'])[kind]
