"""Speed III's leads for V3's memory-bound step, each timed in one compiled loop of V3's steps.

    python -m research.dense_step_leads --lead=baseline
    (then unroll2, unroll4, norm_vdot, no_ynn_reduce, no_grad_norm; one per process)

V3 at batch 32 trails Keras 3 on JAX (BENCHMARKS.md). `python -m benchmarks.op_profile
--config=v3` puts its operations at about half matrix products, a third Adam's update and,
with the norm in every step, a sixth the gradient's global norm. Each lead changes one
thing and prints, as JSON, the steps per second of `--steps` steps of V3 at batch 32 in
one compiled loop (research/step_loop.py; the median of `--repetitions` runs):
- baseline: the library's step as V3's config takes it: the norm every
  train.grad_norm_every_steps steps, which `--grad_norm_every_steps` sets (1 = every
  step), for this lead, the unroll leads and no_ynn_reduce.
- unroll2, unroll4: the loop's body takes 2 or 4 steps per iteration (fewer iterations
  and loop-carried copies; XLA may schedule across the steps).
- norm_vdot: the gradient's norm every step as a sum of `jnp.vdot`s, a dot kernel,
  rather than optax.tree.norm's reductions, which XLA:CPU hands to YNNPACK.
- no_ynn_reduce: the reductions in XLA's own kernels
  (`--xla_cpu_experimental_ynn_fusion_type=-individual_convolution,-reduce`).
- no_grad_norm: no norm at all (the finite check is on the loss alone either way).
Run the leads in fresh processes, alternating, several rounds: this VM moves a rate
between processes. Quoted in docs/performance.md.
"""

import json
import os

from absl import app
from absl import flags

LEADS = ('baseline', 'unroll2', 'unroll4', 'norm_vdot', 'no_ynn_reduce', 'no_grad_norm')
_LEAD = flags.DEFINE_enum('lead', None, LEADS, 'What changes in the step or its loop.',
                          required=True)
_GRAD_NORM_EVERY_STEPS = flags.DEFINE_integer(
    'grad_norm_every_steps', None, "V3's train.grad_norm_every_steps (default: the config's) "
    "for baseline, unroll2, unroll4 and no_ynn_reduce; 1 = the norm every step.", lower_bound=1)
_STEPS = flags.DEFINE_integer('steps', 200, 'Steps per timed run (a multiple of 4).',
                              lower_bound=4)
_REPETITIONS = flags.DEFINE_integer('repetitions', 5, 'Timed runs; the median is printed.',
                                    lower_bound=1)


def _vdot_norm(tree):
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  return jnp.sqrt(sum(jnp.vdot(leaf.ravel(), leaf.ravel()) for leaf in jax.tree.leaves(tree)))


def main(argv):
  del argv
  lead = _LEAD.value
  if _STEPS.value % 4:
    raise app.UsageError(f'--steps must be a multiple of 4 (unroll4), got {_STEPS.value}.')
  if lead == 'no_ynn_reduce':  # read once, when the first backend starts: before jax_ae
    os.environ['XLA_FLAGS'] = ('--xla_cpu_experimental_ynn_fusion_type='
                               '-individual_convolution,-reduce')
  from jax_ae.measure import bench  # pylint: disable=g-import-not-at-top
  from research import step_loop  # pylint: disable=g-import-not-at-top
  config = bench.version_config('v3')
  config.batch_size = 32
  if _GRAD_NORM_EVERY_STEPS.value is not None:
    config.train.grad_norm_every_steps = _GRAD_NORM_EVERY_STEPS.value
  run = step_loop.trainer(config, _STEPS.value)
  if lead == 'norm_vdot':
    step = step_loop.rewritten_step(run, norm=_vdot_norm, skip=True)
  elif lead == 'no_grad_norm':
    step = step_loop.rewritten_step(run, norm=None, skip=True)
  else:
    step = step_loop.library_step(run)
  steps_per_iteration = int(lead[len('unroll'):]) if lead.startswith('unroll') else 1
  seconds = step_loop.time_steps(run, step, _REPETITIONS.value, steps_per_iteration)
  print(json.dumps({'lead': lead, 'loop': 'scan',
                    'steps_per_second': round(_STEPS.value / seconds, 1)}))


if __name__ == '__main__':
  app.run(main)
