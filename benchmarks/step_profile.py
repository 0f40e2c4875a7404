"""Where a small model's train step spends its time, by subtraction.

    python -m benchmarks.step_profile [--versions=v1,v2,v4,v5] [--batch_size=32]

For the dense versions at the notebook's batch 32 a step is well under a millisecond,
so what surrounds the matrix products (the optimizer update, the batch's gather, the
metric sums, the finite check, the dispatch) could cost as much as they do. Each row
here is one compiled loop of `--steps` steps, built up one piece at a time from
forward, backward and a plain SGD update (the least that keeps XLA from hoisting the
step out of the loop) to the pieces of jax-ae's step; then that step with a select in
place of `lax.cond`, and with no device loop (1 or 10 steps per jitted call, Keras's
shape); then jax-ae's own two train loops (train_loops.Trainer, as `--mode=bench`
times them). A row's microseconds per step minus the row above it is what that piece
costs, where that difference is above the machine's noise (docs/performance.md).
Medians of `--repetitions` timed calls after a warm-up, in this one process: run one
version per process, as docs/performance.md does.
"""

import functools
import sys

from absl import app
from absl import flags
import jax
import jax.numpy as jnp
import optax

from jax_ae.measure import bench
from jax_ae.models import networks
from jax_ae.training import steps
from jax_ae.training import train_loops

FLAGS = flags.FLAGS

# Each row adds one piece to the row above.
PIECES = ('forward, backward and a plain SGD update', '+ Adam instead of SGD',
          '+ gather the batch', '+ metric sum', '+ grad norm and finite check')


def _loop(num_pieces, model, tx, train_images, batch_indices, straight_line=0,
          finite_check='cond'):
  """A jitted loop over the steps, with the first `num_pieces` of PIECES in each.

  With `straight_line` = k, instead a program of k steps written out one after the
  other (no device loop), called by a Python loop until all steps are done.
  `finite_check`: 'cond' skips a non-finite step as jax-ae does (lax.cond around the
  update); 'select' computes the update and keeps the old values by `jnp.where`.
  """
  # The data travel as arguments: closed over, they would be constants in the program.
  def step(i, carry, train_images, batch_indices):
    params, batch_stats, opt_state, sums = carry
    if num_pieces >= 3:
      images = jnp.take(train_images, batch_indices[i], axis=0)
    else:
      images = train_images[:batch_indices.shape[1]]

    def loss_fn(params):
      variables = {'params': params, 'batch_stats': batch_stats}
      outputs, updates = model.apply(variables, images, train=True, mutable=['batch_stats'])
      return jnp.mean(jnp.square(outputs - images)), updates.get('batch_stats', batch_stats)

    (loss, new_stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
    if num_pieces >= 4:
      sums = sums + loss
    if num_pieces >= 2:
      def apply(args):
        params, opt_state = args
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state
      if num_pieces >= 5:
        grad_norm = optax.tree.norm(grads)
        sums = sums + grad_norm
        finite = jnp.isfinite(loss) & jnp.isfinite(grad_norm)
        if finite_check == 'cond':
          params, opt_state = jax.lax.cond(finite, apply, lambda args: args, (params, opt_state))
        else:
          params, opt_state = jax.tree.map(lambda new, old: jnp.where(finite, new, old),
                                           apply((params, opt_state)), (params, opt_state))
      else:
        params, opt_state = apply((params, opt_state))
    else:  # the least update that keeps the step in the loop (XLA would hoist it out)
      params = jax.tree.map(lambda p, g: p - 1e-3 * g, params, grads)
    return params, new_stats, opt_state, sums

  num_steps = batch_indices.shape[0]
  if not straight_line:
    loop = jax.jit(lambda carry, *data: jax.lax.fori_loop(
        0, num_steps, lambda i, carry: step(i, carry, *data), carry), donate_argnums=0)
    return lambda carry: loop(carry, train_images, batch_indices)

  @functools.partial(jax.jit, donate_argnums=0)
  def steps_written_out(carry, first, *data):
    for offset in range(straight_line):
      carry = step(first + offset, carry, *data)
    return carry

  def run_all(carry):
    for first in range(0, num_steps, straight_line):
      carry = steps_written_out(carry, first, train_images, batch_indices)
    return carry

  return run_all


def profile(version: str, batch_size: int, num_steps: int, repetitions: int):
  """[(row name, microseconds per step)] for `version` at `batch_size`."""
  config = bench.version_config(version)
  config.batch_size = batch_size
  split = bench.synthetic_split(num_steps * batch_size)
  model = networks.create_model(config.model)
  learning_rate_fn = steps.create_learning_rate_fn(config.optim, num_steps, config.num_epochs)
  state = steps.create_train_state(config, steps.init_key(0), learning_rate_fn)
  images = jnp.asarray(split['image'])
  batch_indices = jax.random.permutation(jax.random.key(1), images.shape[0]).reshape(
      num_steps, batch_size)

  def micros_per_step(**loop_options):
    loop = _loop(model=model, tx=state.tx, train_images=images, batch_indices=batch_indices,
                 **loop_options)
    carry = {'carry': jax.tree.map(jnp.copy, (state.params, state.batch_stats, state.opt_state,
                                              jnp.zeros(())))}

    def run():
      carry['carry'] = loop(carry['carry'])
      return carry['carry']

    return 1e6 * bench.median_seconds(run, repetitions) / num_steps

  rows = [(name, micros_per_step(num_pieces=num_pieces))
          for num_pieces, name in enumerate(PIECES, start=1)]
  everything = len(PIECES)
  rows.append(('all of it, the finite check a select instead of a cond',
               micros_per_step(num_pieces=everything, finite_check='select')))
  for straight_line in (1, 10):
    rows.append((f'all of it, {straight_line} step(s) per program, no device loop',
                 micros_per_step(num_pieces=everything, straight_line=straight_line)))
  for loop_name in ('scan', 'python'):
    config.train.loop = loop_name
    config.train.steps_per_call = num_steps
    trainer = train_loops.Trainer(config, split)
    holder = {'state': trainer.create_state()}
    key = steps.shuffle_key(0, 1)

    def run_epoch(trainer=trainer, holder=holder, key=key):
      holder['state'], sums = trainer.train_epoch(holder['state'], key)
      return sums

    rows.append((f'jax-ae, {loop_name} loop', 1e6 * bench.median_seconds(
        run_epoch, repetitions) / trainer.steps_per_epoch))
  return rows


def format_profile(version: str, rows) -> str:
  lines = [f'{version}: | row | µs per step | this piece |', '| --- | --- | --- |']
  previous = None
  for name, micros in rows:
    added = f'{micros - previous:+.0f}' if name.startswith('+') else ''
    lines.append(f'| {name} | {micros:.0f} | {added} |')
    previous = micros
  return '\n'.join(lines)


def main(argv):
  del argv
  print(f'JAX {jax.__version__} on {jax.default_backend()}, batch {FLAGS.batch_size}, '
        f'{FLAGS.steps} steps per call')
  for version in FLAGS.versions:
    print(format_profile(version, profile(version, FLAGS.batch_size, FLAGS.steps,
                                          FLAGS.repetitions)), flush=True)
  return 0


if __name__ == '__main__':
  flags.DEFINE_list('versions', ['v1', 'v2', 'v4', 'v5'], 'Versions to profile.')
  flags.DEFINE_integer('batch_size', 32, 'Batch size (the notebook: 32).')
  flags.DEFINE_integer('steps', 200, 'Steps per timed call.')
  flags.DEFINE_integer('repetitions', 15, 'Timed calls per row; the median is reported.')
  sys.exit(app.run(main))
