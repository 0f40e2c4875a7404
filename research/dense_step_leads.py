"""Speed III's leads for V3's memory-bound step, each timed in V3's own train loop.

    python -m research.dense_step_leads --lead=baseline
    (then unroll2, unroll4, norm_vdot, no_ynn_reduce, no_grad_norm; one per process)

V3 at batch 32 trails Keras 3 on JAX (BENCHMARKS.md). `python -m benchmarks.op_profile
--config=v3` puts its operations at about half matrix products, a third Adam's update and
a sixth the gradient's global norm. Each lead changes one thing and prints, as JSON, the
steps per second of the config's scan loop (bench.time_training: 200 steps, median of 5):
- unroll2, unroll4: the device loop's body takes 2 or 4 steps per iteration (fewer
  iterations and loop-carried copies; XLA may schedule across the steps).
- norm_vdot: the gradient's norm as a sum of `jnp.vdot`s, a dot kernel, rather than
  optax.tree.norm's reductions, which XLA:CPU hands to YNNPACK.
- no_ynn_reduce: those reductions in XLA's own kernels
  (`--xla_cpu_experimental_ynn_fusion_type=-individual_convolution,-reduce`).
- no_grad_norm: no norm at all (the finite check on the loss alone): what the norm costs.
  Not a candidate: the norm is a reported metric and half of the finiteness test that keeps
  a non-finite gradient out of the parameters.
Run the leads in fresh processes, alternating, several rounds: this VM moves a rate
between processes. Quoted in docs/performance.md.
"""

import json
import os
import sys

LEADS = ('baseline', 'unroll2', 'unroll4', 'norm_vdot', 'no_ynn_reduce', 'no_grad_norm')


def _apply(lead: str):
  """Patches the process for `lead`; called before jax_ae builds anything."""
  if lead == 'no_ynn_reduce':  # read once, when the first backend starts
    os.environ['XLA_FLAGS'] = ('--xla_cpu_experimental_ynn_fusion_type='
                               '-individual_convolution,-reduce')
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  import optax  # pylint: disable=g-import-not-at-top
  from jax_ae.training import train_loops  # pylint: disable=g-import-not-at-top
  if lead == 'norm_vdot':
    optax.tree.norm = lambda tree: jnp.sqrt(
        sum(jnp.vdot(leaf.ravel(), leaf.ravel()) for leaf in jax.tree.leaves(tree)))
  elif lead == 'no_grad_norm':
    optax.tree.norm = lambda tree: jnp.zeros(())
  elif lead.startswith('unroll'):
    steps_per_iteration = int(lead[len('unroll'):])
    one_step = train_loops._train_step_on_device  # pylint: disable=protected-access

    def steps_on_device(state, epoch_sums, train_arrays, batch_indices, run_key, loss,
                        augmentation, batch_sharding, max_steps):
      # Timed epochs are whole multiples of the unroll (200 steps); not for training.
      stop_at = jnp.minimum(epoch_sums['steps'] + max_steps, batch_indices.shape[0])

      def body(carry):
        for _ in range(steps_per_iteration):
          carry = one_step(*carry, train_arrays, batch_indices, run_key, loss, augmentation,
                           batch_sharding)
        return carry

      return jax.lax.while_loop(lambda carry: carry[1]['steps'] < stop_at, body,
                                (state, epoch_sums))

    train_loops._train_steps_on_device = steps_on_device  # pylint: disable=protected-access


def main(argv) -> int:
  leads = [arg.split('=', 1)[1] for arg in argv[1:] if arg.startswith('--lead=')]
  if len(leads) != 1 or leads[0] not in LEADS:
    print(__doc__)
    return 2
  _apply(leads[0])
  from jax_ae.measure import bench  # pylint: disable=g-import-not-at-top
  num_steps = 200
  trainer, _, seconds, _ = bench.time_training(bench.version_config('v3'), 32, num_steps, 5)
  print(json.dumps({'lead': leads[0], 'loop': trainer.loop,
                    'steps_per_second': round(num_steps / seconds, 1)}))
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))
