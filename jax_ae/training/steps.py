"""The training math, pure: TrainState, the optimizer on its schedule, the steps, the keys.

Nothing here knows of files, epochs or devices: `train_step` and `eval_step` are
functions `(state, batch, ...) -> ...` that train_loops.py jits once around the
on-device epoch and held_out.py around evaluation. What is learned (loss, metrics)
comes from the run's `tasks.Task`, so autoencoders and classifiers share these steps.
"""

import math
from typing import Any, Dict, Tuple

from flax import struct
from flax.training import train_state
import jax
import jax.numpy as jnp
import ml_collections
import optax

from jax_ae.datasets import augment
from jax_ae.models import losses
from jax_ae.models import networks
from jax_ae.models import tasks

Batch = Dict[str, jax.Array]


class TrainState(train_state.TrainState):
  """Flax's TrainState plus the BatchNorm running statistics ({} for V1-V3), and, with
  `optim.ema_decay` > 0, a moving average of the parameters.

  ema_params: None when off, and then the state, its checkpoints and the compiled
  step are exactly those of a run without it. When on, every applied step updates it
  (`moving_average`); a skipped (non-finite) step leaves it as it was. The average is
  evaluated with the run's own running BatchNorm statistics (`with_ema_params`), not
  an average of them: those are already a moving average of recent batches, late in a
  run the averaged and raw weights differ little, and val_ema_* says whether the pair
  works; an average of the statistics would describe activations of weights that
  never computed them either.
  """

  batch_stats: Any
  ema_params: Any = None
  ema_decay: float = struct.field(pytree_node=False, default=0.0)

  def apply_gradients(self, *, grads, **kwargs) -> 'TrainState':
    state = super().apply_gradients(grads=grads, **kwargs)
    if state.ema_params is None:
      return state
    return state.replace(ema_params=moving_average(state.ema_params, state.params,
                                                   state.ema_decay, state.step))


def moving_average(average, params, decay: float, step: jax.Array):
  """The average after the update to `params` that made `step` (1 for the first).

  optax.ema(debias=True)'s value, kept directly rather than as a biased sum: the
  params after update k weigh (1 - decay) * decay**(step - k) / (1 - decay**step), so
  step 1 copies the params and the random initial ones never count. As a recursion:
  average + (params - average) * (1 - decay) / (1 - decay**step), its 1 - decay**step
  through expm1 so that it keeps its digits for decays near 1.
  """
  log_decay = math.log(decay)
  weight = jnp.minimum(1.0, -math.expm1(log_decay) /
                       -jnp.expm1(jnp.asarray(step, jnp.float32) * log_decay))
  return jax.tree.map(lambda mean, value: mean + (value - mean) * weight, average, params)


def with_ema_params(state: TrainState) -> TrainState:
  """The state with its moving average as the parameters (and its own batch_stats)."""
  return state.replace(params=state.ema_params)


def steps_per_epoch(num_train_examples: int, batch_size: int) -> int:
  """Whole batches per epoch: the last partial batch of a shuffle is dropped."""
  return num_train_examples // batch_size


def create_learning_rate_fn(optim_config: ml_collections.ConfigDict,
                            num_steps_per_epoch: int, num_epochs: int) -> optax.Schedule:
  """The optimizer's learning rate per step, by `optim_config.schedule`.

  'exponential': `learning_rate * decay_rate ** (step / transition_steps)`, floored if
  staircase. 'cosine': a linear warm-up from 0 over `warmup_epochs`, then half a cosine
  from `learning_rate` down to 0 at the run's last step (`num_epochs`), which spends
  more of a fixed budget at useful rates than a decay that is fast early and slow late.
  """
  if optim_config.schedule == 'cosine':
    total_steps = max(1, num_epochs * num_steps_per_epoch)
    warmup_steps = min(total_steps - 1, round(optim_config.warmup_epochs * num_steps_per_epoch))
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0, peak_value=optim_config.learning_rate, warmup_steps=warmup_steps,
        decay_steps=total_steps, end_value=0.0)
  return optax.exponential_decay(
      init_value=optim_config.learning_rate,
      transition_steps=max(1, round(optim_config.transition_epochs * num_steps_per_epoch)),
      decay_rate=optim_config.decay_rate,
      staircase=optim_config.staircase)


def create_optimizer(optim_config: ml_collections.ConfigDict,
                     learning_rate_fn: optax.Schedule) -> optax.GradientTransformation:
  """Adam (or plain SGD) on the schedule, after global-norm clipping when `clip_norm` > 0.

  With `weight_decay` > 0 it is AdamW: the kernels (not biases or BatchNorm scales)
  shrink by learning_rate * weight_decay per step, decoupled from Adam's scaling.
  """
  # One state structure with and without clipping, so a run can resume either way.
  clip = (optax.clip_by_global_norm(optim_config.clip_norm) if optim_config.clip_norm > 0
          else optax.identity())
  if optim_config.name == 'sgd':
    return optax.chain(clip, optax.sgd(learning_rate_fn))
  if optim_config.weight_decay > 0:
    kernels_only = lambda params: jax.tree.map_with_path(
        lambda path, _: getattr(path[-1], 'key', None) == 'kernel', params)
    return optax.chain(clip, optax.adamw(learning_rate_fn, weight_decay=optim_config.weight_decay,
                                         mask=kernels_only))
  return optax.chain(clip, optax.adam(learning_rate_fn))


def create_train_state(config: ml_collections.ConfigDict, rng: jax.Array,
                       learning_rate_fn: optax.Schedule) -> TrainState:
  """The configured model, initialised from `rng`, and its optimizer on `learning_rate_fn`
  (and the parameters' moving average, at first a copy of them, if `optim.ema_decay`)."""
  model = networks.create_model(config.model)
  variables = networks.init_variables(model, rng)
  ema_decay = config.optim.ema_decay
  # A copy: the step donates the state, and one buffer cannot be donated twice.
  ema_params = jax.tree.map(jnp.array, variables['params']) if ema_decay > 0 else None
  state = TrainState.create(apply_fn=model.apply, params=variables['params'],
                            batch_stats=variables['batch_stats'],
                            tx=create_optimizer(config.optim, learning_rate_fn),
                            ema_params=ema_params, ema_decay=ema_decay)
  # TrainState starts at the Python int 0; a device scalar from the start keeps the
  # jitted step's signature constant, so it compiles once rather than twice.
  return state.replace(step=jnp.zeros((), jnp.int32))


def training_loss(params, state: TrainState, batch: Batch, key: jax.Array, loss: losses.Loss,
                  augmentation: augment.Augmentation = augment.Augmentation(),
                  also_mutable: Tuple[str, ...] = ()):
  """What a train step differentiates, as a function of `params`: (total, (means, updates)).

  `key` is the step's randomness: the augmentation of the batch's images (the
  autoencoders' targets are then the augmented images) and dropout. `total` and `means`
  are `loss`'s (losses.py: the scalar minimised, the task's plain metrics a run
  reports); `updates` the mutated collections: 'batch_stats', and `also_mutable`
  (diagnostics.py asks for 'diagnostics'). The one definition both the train step and
  diagnostics use.
  """
  augment_key, dropout_key = jax.random.split(key)
  batch = {**batch, 'image': augment.augment_images(augment_key, batch['image'], augmentation)}
  outputs, updates = state.apply_fn(
      {'params': params, 'batch_stats': state.batch_stats}, batch['image'],
      train=True, mutable=['batch_stats', *also_mutable], rngs={'dropout': dropout_key},
      method='outputs')
  total, means = loss(outputs, batch)
  return total, (means, updates)


def grad_norm_every(config: ml_collections.ConfigDict) -> int:
  """Steps between measurements of the gradient's norm: train.grad_norm_every_steps, or 1
  where optim.clip_norm > 0, whose clipping computes the norm every step anyway."""
  return 1 if config.optim.clip_norm > 0 else config.train.grad_norm_every_steps


def train_step(state: TrainState, batch: Batch, key: jax.Array, loss: losses.Loss,
               augmentation: augment.Augmentation = augment.Augmentation(),
               grad_norm_every: int = 1):
  """One optimizer step on `training_loss`; BatchNorm uses and updates batch statistics.

  Returns the batch means of the task's metrics; 'applied': 1.0, or 0.0 where the
  minimised loss was not finite and the step was skipped, the state coming back
  unchanged; and 'grad_norm', the gradient's global norm, at the steps taken from a
  `state.step` that is a multiple of `grad_norm_every`, with 'grad_norm_steps' 1 there
  (elsewhere both 0), so that an epoch's sums give the mean over the measured steps.

  The one finiteness test of a step, on the loss alone; the train loop reads
  'applied' rather than testing again. A finite loss with a non-finite gradient is
  applied: the parameters it spoils make the next step's loss, or the epoch's
  held-out loss, non-finite, which ends the run like any divergence, and no
  checkpoint or model file takes non-finite state (checkpoint.all_finite). So the
  norm, a pass over the whole gradient, runs only where it is reported. (`lax.cond`
  rather than a `where` over the state, which on CPU would copy every parameter and
  moment; and around the norm, so that unmeasured steps skip its pass.)
  """
  (loss, (means, updates)), grads = jax.value_and_grad(training_loss, has_aux=True)(
      state.params, state, batch, key, loss, augmentation)
  with jax.named_scope('grad_norm'):  # names its reductions in a profile (op_profile)
    if grad_norm_every == 1:
      measured = jnp.ones((), jnp.int32)
      grad_norm = optax.tree.norm(grads)
    else:
      measured = (state.step % grad_norm_every == 0).astype(jnp.int32)
      no_norm = jnp.zeros((), jnp.result_type(*jax.tree.leaves(grads)))
      grad_norm = jax.lax.cond(measured > 0, optax.tree.norm, lambda grads: no_norm, grads)
  applied = jnp.isfinite(loss)
  state = jax.lax.cond(
      applied,
      lambda state: state.apply_gradients(
          grads=grads, batch_stats=updates.get('batch_stats', state.batch_stats)),
      lambda state: state,
      state)
  return state, {**means, 'grad_norm': grad_norm, 'grad_norm_steps': measured,
                 'applied': applied.astype(jnp.float32)}


def step_key(run_key: jax.Array, step: jax.Array, steps_in_epoch: jax.Array) -> jax.Array:
  """The key of the step taken from `step` (the state's) at `steps_in_epoch` into its epoch.

  The epoch's step count is folded in as well: a skipped (non-finite) step leaves
  state.step as it was, and the next step must not reuse its key.
  """
  return jax.random.fold_in(jax.random.fold_in(run_key, step), steps_in_epoch)


def epoch_batch(train_arrays: Batch, batch_indices: jax.Array, index: jax.Array) -> Batch:
  """Batch `index` of an epoch's shuffle ([steps, batch_size] indices), gathered on device."""
  return jax.tree.map(lambda array: jnp.take(array, batch_indices[index], axis=0),
                      train_arrays)


def predict(state: TrainState, images: jax.Array) -> jax.Array:
  """Evaluation-mode outputs (reconstructions or logits): running BatchNorm averages,
  no dropout, no augmentation, nothing mutated."""
  return state.apply_fn({'params': state.params, 'batch_stats': state.batch_stats},
                        images, train=False)


def eval_step(state: TrainState, batch: Batch, task: tasks.Task) -> Dict[str, jax.Array]:
  """The task's metrics summed over the batch's real examples (`mask` is 0 on padding)."""
  return task.evaluation_sums(predict(state, batch['image']), batch)


# The run's randomness, each a function of the seed (and the epoch or step) only, so
# that a resumed run draws exactly what an uninterrupted one would.

def init_key(seed: int) -> jax.Array:
  """The key that initialises the parameters."""
  return jax.random.fold_in(jax.random.key(seed), 0)


def shuffle_key(seed: int, epoch: int) -> jax.Array:
  """The key of an epoch's shuffle."""
  return jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), 1), epoch)


def run_key(seed: int) -> jax.Array:
  """The key that, folded with a step number, gives that step's augmentation and dropout."""
  return jax.random.fold_in(jax.random.key(seed), 2)
