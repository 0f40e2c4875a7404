"""What the train step's checks cost a memory-bound step: V3 at batch 32.

    python -m research.step_checks --variant=jax-ae   (then no_grad_norm, no_cond, neither)

Run each variant in a fresh process, alternating, several rounds: this VM moves a rate
between processes. jax-ae's step (steps.train_step) computes the gradient's global norm
(a metric, and half of the finiteness test) and applies the update inside a `lax.cond`
that skips a non-finite step. Keras's step does neither. Each variant swaps
steps.train_step for one without a check and prints, as JSON, the milliseconds per step
of the config's own train loop (bench.time_training, 200 steps, median of 7) and the
compiled step's bytes accessed in passes over the parameters
(benchmarks/memory_passes.compiled_step_bytes). Quoted in docs/performance.md.
"""

import json

from absl import app
from absl import flags
import jax
import jax.numpy as jnp
import optax

from benchmarks import memory_passes
from jax_ae.measure import bench
from jax_ae.training import steps

FLAGS = flags.FLAGS
VARIANTS = ('jax-ae', 'no_grad_norm', 'no_cond', 'neither')


def _step(grad_norm: bool, cond: bool):
  """steps.train_step with the gradient norm and the skipping `lax.cond` each optional."""

  def train_step(state, batch, key, loss_fn, augmentation=None):
    augmentation = augmentation or steps.augment.Augmentation()
    (loss, (means, updates)), grads = jax.value_and_grad(steps.training_loss, has_aux=True)(
        state.params, state, batch, key, loss_fn, augmentation)
    norm = optax.tree.norm(grads) if grad_norm else jnp.zeros(())
    applied = jnp.isfinite(loss) & jnp.isfinite(norm)
    apply = lambda state: state.apply_gradients(
        grads=grads, batch_stats=updates.get('batch_stats', state.batch_stats))
    state = jax.lax.cond(applied, apply, lambda state: state, state) if cond else apply(state)
    return state, {**means, 'grad_norm': norm, 'applied': applied.astype(jnp.float32)}

  return train_step


def main(argv):
  del argv
  if FLAGS.variant != 'jax-ae':
    steps.train_step = _step(grad_norm=FLAGS.variant == 'no_cond',
                             cond=FLAGS.variant == 'no_grad_norm')
  config = bench.version_config(FLAGS.version)
  num_steps, batch_size = 200, 32
  _, _, seconds, _ = bench.time_training(config, batch_size, num_steps, repetitions=7)
  config.batch_size = batch_size
  accessed, parameter_bytes = memory_passes.compiled_step_bytes(config, num_steps)
  print(json.dumps({'variant': FLAGS.variant, 'version': FLAGS.version,
                    'ms_per_step': round(1e3 * seconds / num_steps, 2),
                    'passes': round(accessed / parameter_bytes, 1)}))


if __name__ == '__main__':
  flags.DEFINE_enum('variant', 'jax-ae', VARIANTS, 'Which checks the step keeps.')
  flags.DEFINE_string('version', 'v3', 'The config (configs/<version>.py) to time.')
  app.run(main)
