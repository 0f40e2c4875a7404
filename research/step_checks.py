"""What the train step's checks cost a memory-bound step: V3 at batch 32.

    python -m research.step_checks --variant=jax-ae   (then no_grad_norm, no_cond, neither)

Run each variant in a fresh process, alternating, several rounds: this VM moves a rate
between processes. jax-ae's step (steps.train_step) measures the gradient's global norm
(a metric) every train.grad_norm_every_steps steps and applies the update inside a
`lax.cond` that skips a step whose loss is not finite. Keras's step does neither. The
variants: jax-ae, the library's step as the config takes it (`--grad_norm_every_steps=1`
sets that field: the norm every step); no_grad_norm, no norm at all; no_cond, the norm
every step and the update applied unconditionally; neither. Each runs in the same
compiled loop (research/step_loop.py) and prints, as JSON, the milliseconds per step
(`--steps` steps, the median of `--repetitions` runs) and the compiled step's bytes
accessed in passes over the parameters (XLA's cost analysis). Quoted in
docs/performance.md.
"""

import json

from absl import app
from absl import flags
import optax

from jax_ae.measure import bench
from research import step_loop

VARIANTS = ('jax-ae', 'no_grad_norm', 'no_cond', 'neither')
_VARIANT = flags.DEFINE_enum('variant', 'jax-ae', VARIANTS, 'Which checks the step keeps.')
_VERSION = flags.DEFINE_string('version', 'v3', 'The config (configs/<version>.py) to time.')
_GRAD_NORM_EVERY_STEPS = flags.DEFINE_integer(
    'grad_norm_every_steps', None, "jax-ae's train.grad_norm_every_steps (default: the "
    "config's); 1 = the norm every step.", lower_bound=1)
_STEPS = flags.DEFINE_integer('steps', 200, 'Steps per timed run.', lower_bound=1)
_REPETITIONS = flags.DEFINE_integer('repetitions', 7, 'Timed runs; the median is printed.',
                                    lower_bound=1)


def main(argv):
  del argv
  config = bench.version_config(_VERSION.value)
  config.batch_size = 32
  if _GRAD_NORM_EVERY_STEPS.value is not None:
    config.train.grad_norm_every_steps = _GRAD_NORM_EVERY_STEPS.value
  run = step_loop.trainer(config, _STEPS.value)
  variant = _VARIANT.value
  if variant == 'jax-ae':
    step = step_loop.library_step(run)
  else:
    step = step_loop.rewritten_step(run, norm=optax.tree.norm if variant == 'no_cond' else None,
                                    skip=variant == 'no_grad_norm')
  seconds = step_loop.time_steps(run, step, _REPETITIONS.value)
  accessed, parameter_bytes = step_loop.step_bytes(run, step)
  print(json.dumps({'variant': variant, 'version': _VERSION.value,
                    'ms_per_step': round(1e3 * seconds / _STEPS.value, 2),
                    'passes': round(accessed / parameter_bytes, 1)}))


if __name__ == '__main__':
  app.run(main)
