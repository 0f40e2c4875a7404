"""Any train step in one compiled device loop, built from the library's public pieces.

For the studies that time variants of the step (research/step_checks.py) or of the
loop's body (research/dense_step_leads.py). The library's scan loop (train_loops) runs
steps.train_step and nothing else, as it should; a study that times another step runs
every variant here instead, the library's own step included, so that the variants differ
only where they mean to. The loop is the scan loop's: a `Trainer` of the config places
the split, the state and the keys on the device, each step gathers its batch by index
(steps.epoch_batch) and draws its key from the state's step (steps.step_key), the state
is donated, and every metric is summed on the device, so that XLA computes all of them.
"""

import functools
from typing import Any, Callable, Dict, Optional, Tuple

import jax
import jax.numpy as jnp
import ml_collections

from jax_ae.datasets import augment
from jax_ae.measure import bench
from jax_ae.training import steps
from jax_ae.training import train_loops

# (state, batch, key) -> (state, {metric: value})
Step = Callable[[steps.TrainState, Dict[str, jax.Array], jax.Array],
                Tuple[steps.TrainState, Dict[str, jax.Array]]]


def trainer(config: ml_collections.ConfigDict, num_steps: int) -> train_loops.Trainer:
  """A Trainer of `config` on a synthetic split of exactly `num_steps` batches."""
  return train_loops.Trainer(config, bench.synthetic_split(num_steps * config.batch_size))


def library_step(run: train_loops.Trainer) -> Step:
  """steps.train_step as `run`'s config takes it: its loss, augmentation and the
  interval of the gradient's norm (train.grad_norm_every_steps, or every step with
  optim.clip_norm)."""
  return functools.partial(steps.train_step, loss=run.loss,
                           augmentation=augment.from_config(run.config.augment),
                           grad_norm_every=steps.grad_norm_every(run.config))


def rewritten_step(run: train_loops.Trainer, norm: Optional[Callable[[Any], jax.Array]],
                   skip: bool) -> Step:
  """steps.train_step's math written out, for the variants no config picks: `norm` of
  the gradient every step (None: no norm), and the `lax.cond` that skips a step whose
  loss is not finite (`skip`) or an update applied unconditionally."""
  augmentation = augment.from_config(run.config.augment)

  def step(state, batch, key):
    (loss, (means, updates)), grads = jax.value_and_grad(steps.training_loss, has_aux=True)(
        state.params, state, batch, key, run.loss, augmentation)
    grad_norm = jnp.zeros(()) if norm is None else norm(grads)
    apply = lambda state: state.apply_gradients(  # noqa: E731
        grads=grads, batch_stats=updates.get('batch_stats', state.batch_stats))
    if skip:
      state = jax.lax.cond(jnp.isfinite(loss), apply, lambda state: state, state)
    else:
      state = apply(state)
    return state, {**means, 'grad_norm': grad_norm}

  return step


def _step_and_sum(step: Step, state, index, total, train_arrays, batch_indices, run_key):
  """One step on batch `index`; (state, index + 1, total plus every metric)."""
  batch = steps.epoch_batch(train_arrays, batch_indices, index)
  state, metrics = step(state, batch, steps.step_key(run_key, state.step, index))
  total += sum(jnp.sum(value.astype(jnp.float32)) for value in metrics.values())
  return state, index + 1, total


def time_steps(run: train_loops.Trainer, step: Step, repetitions: int,
               steps_per_iteration: int = 1) -> float:
  """Median seconds of all of `run`'s steps (its split's batches) of `step` in one
  compiled loop whose body takes `steps_per_iteration` steps, after a call that compiles."""
  num_steps = run.steps_per_epoch
  assert num_steps % steps_per_iteration == 0, 'whole iterations only'

  @functools.partial(jax.jit, donate_argnums=0)
  def all_steps(state, train_arrays, batch_indices, run_key):
    def body(carry):
      for _ in range(steps_per_iteration):
        carry = _step_and_sum(step, *carry, train_arrays, batch_indices, run_key)
      return carry

    return jax.lax.while_loop(lambda carry: carry[1] < num_steps, body,
                              (state, jnp.zeros((), jnp.int32), jnp.zeros(())))

  batch_indices = run.epoch_batch_indices(steps.shuffle_key(0, 1))
  holder = {'state': run.create_state()}

  def run_all():
    holder['state'], _, total = all_steps(holder['state'], run.train_arrays, batch_indices,
                                          run.run_key)
    return total

  return bench.median_seconds(run_all, repetitions)


def step_bytes(run: train_loops.Trainer, step: Step) -> Tuple[float, int]:
  """(bytes one compiled step of `step` accesses by XLA's cost analysis, parameter bytes):
  the python loop's program, one step and its sums."""
  state = run.create_state()
  one_step = jax.jit(functools.partial(_step_and_sum, step), donate_argnums=0)
  compiled = one_step.lower(state, jnp.zeros((), jnp.int32), jnp.zeros(()), run.train_arrays,
                            run.epoch_batch_indices(steps.shuffle_key(0, 1)),
                            run.run_key).compile()
  analysis = compiled.cost_analysis()
  analysis = analysis[0] if isinstance(analysis, list) else analysis
  parameter_bytes = sum(leaf.nbytes for leaf in jax.tree.leaves(state.params))
  return analysis['bytes accessed'], parameter_bytes
