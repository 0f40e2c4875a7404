"""Training and evaluation, top to bottom as the algorithm: state, step, epoch, run.

`train_step` and `eval_step` are pure functions `(state, batch, ...) -> ...`; the jit
happens once, in `train_loops.Trainer`, around the on-device epoch that uses them.
What is learned (loss, metrics, pictures) comes from `config.task` through tasks.py,
so autoencoders and classifiers share this one loop. Resuming is checkpoint.py's job,
everything written to the workdir run_files.py's.
"""

import time
from typing import Any, Dict, Optional

from absl import logging
from flax.training import train_state
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax

from jax_ae import augment
from jax_ae import checkpoint
from jax_ae import config_checks
from jax_ae import console
from jax_ae import data
from jax_ae import interrupts
from jax_ae import models
from jax_ae import multihost
from jax_ae import plots
from jax_ae import run_files
from jax_ae import tasks
from jax_ae import train_loops
from jax_ae import workdir_lock
from jax_ae.errors import Interrupted
from jax_ae.errors import NonFiniteLossError

Batch = Dict[str, jax.Array]


class TrainState(train_state.TrainState):
  """Flax's TrainState plus the BatchNorm running statistics ({} for V1-V3)."""

  batch_stats: Any


def steps_per_epoch(num_train_examples: int, batch_size: int) -> int:
  """Whole batches per epoch: the last partial batch of a shuffle is dropped."""
  return num_train_examples // batch_size


def create_learning_rate_fn(optim_config: ml_collections.ConfigDict,
                            num_steps_per_epoch: int) -> optax.Schedule:
  """`learning_rate * decay_rate ** (step / transition_steps)`, floored if staircase."""
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
  if optim_config.get('name', 'adam') == 'sgd':  # .get: configs from before the field
    return optax.chain(clip, optax.sgd(learning_rate_fn))
  if optim_config.weight_decay > 0:
    kernels_only = lambda params: jax.tree.map_with_path(
        lambda path, _: getattr(path[-1], 'key', None) == 'kernel', params)
    return optax.chain(clip, optax.adamw(learning_rate_fn, weight_decay=optim_config.weight_decay,
                                         mask=kernels_only))
  return optax.chain(clip, optax.adam(learning_rate_fn))


def create_train_state(config: ml_collections.ConfigDict, rng: jax.Array,
                       num_steps_per_epoch: Optional[int] = None) -> TrainState:
  """Initialises the configured model (jitted: one program, not one per operation, with
  the same values) and Adam(W) on the configured schedule, whose epochs are
  `num_steps_per_epoch` steps (default: those of the dataset's canonical training split).
  """
  if num_steps_per_epoch is None:
    num_steps_per_epoch = steps_per_epoch(data.NUM_TRAIN_EXAMPLES[config.data.name],
                                          config.batch_size)
  model = models.create_model(config.model)
  variables = jax.jit(model.init, static_argnames='train')(
      rng, jnp.zeros((2, models.IMAGE_PIXELS), jnp.float32), train=False)
  learning_rate_fn = create_learning_rate_fn(config.optim, num_steps_per_epoch)
  state = TrainState.create(
      apply_fn=model.apply,
      params=variables['params'],
      batch_stats=variables.get('batch_stats', {}),
      tx=create_optimizer(config.optim, learning_rate_fn))
  # TrainState starts at the Python int 0; a device scalar from the start keeps the
  # jitted step's signature constant, so it compiles once rather than twice.
  return state.replace(step=jnp.zeros((), jnp.int32))


def train_step(state: TrainState, batch: Batch, key: jax.Array, task: str = 'reconstruct',
               augmentation: augment.Augmentation = augment.Augmentation()):
  """One optimizer step on the batch's mean loss; BatchNorm uses and updates batch stats.

  `key` is this step's randomness: the augmentation of the batch's images (the
  autoencoders' targets are then the augmented images) and dropout. Returns the
  batch means of the task's metrics and the gradient's norm.

  A step whose loss or gradient is not finite is not applied: the state comes back
  unchanged, so non-finite values never reach the parameters or a checkpoint.
  (`lax.cond` rather than a `where` over the state: on CPU the select copied every
  parameter and Adam moment, making V3's step 2.7x slower.)
  """
  augment_key, dropout_key = jax.random.split(key)
  batch = {**batch, 'image': augment.augment_images(augment_key, batch['image'], augmentation)}

  def loss_fn(params):
    outputs, updates = state.apply_fn(
        {'params': params, 'batch_stats': state.batch_stats}, batch['image'],
        train=True, mutable=['batch_stats'], rngs={'dropout': dropout_key})
    means = {name: jnp.mean(values)
             for name, values in tasks.per_example_metrics(task, outputs, batch).items()}
    return means['loss'], (means, updates)

  (loss, (means, updates)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
  grad_norm = optax.tree.norm(grads)
  state = jax.lax.cond(
      jnp.isfinite(loss) & jnp.isfinite(grad_norm),
      lambda state: state.apply_gradients(
          grads=grads, batch_stats=updates.get('batch_stats', state.batch_stats)),
      lambda state: state,
      state)
  return state, {**means, 'grad_norm': grad_norm}


def predict(state: TrainState, images: jax.Array) -> jax.Array:
  """Evaluation-mode outputs (reconstructions or logits): running BatchNorm averages,
  no dropout, no augmentation, nothing mutated."""
  return state.apply_fn({'params': state.params, 'batch_stats': state.batch_stats},
                        images, train=False)


def eval_step(state: TrainState, batch: Batch, task: str = 'reconstruct') -> Dict[str, jax.Array]:
  """The task's metrics summed over the batch's real examples (`mask` is 0 on padding)."""
  return tasks.evaluation_sums(task, predict(state, batch['image']), batch)


def init_key(seed: int) -> jax.Array:
  """The key that initialises the parameters: a function of the seed only."""
  return jax.random.fold_in(jax.random.key(seed), 0)


def _raise_nonfinite(epoch: int, host_sums, checkpoints, again: str, what: str = ''):
  """Stops the run on a non-finite step (or `what`), naming the checkpoint to resume from."""
  last_good = checkpoints.latest_position()
  kept = (f'epoch {last_good.completed_epochs}' if last_good is not None
          else 'none (no epoch finished before)')
  what = what or (f'loss became NaN at epoch {epoch} '
                  f'(step {int(host_sums["first_nonfinite_step"])})')
  raise NonFiniteLossError(
      f'{what}; the last good checkpoint is {kept}; lower the learning rate or set '
      f'--config.optim.clip_norm, then run again{again} to resume from it.')


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> TrainState:
  """Trains to `config.num_epochs` epochs, evaluating after each (Trainer.held_out_metrics).

  Resumes from the newest checkpoint in `workdir` when there is one. Writes
  everything a run leaves behind into `workdir` (see run_files.py); the metrics of
  every finished epoch are on disk before the next one starts.
  """
  config_checks.validate(config)
  run = run_files.RunFiles(workdir, writes=multihost.is_primary())
  if run.writes:  # one run per workdir: a second is refused, naming this one's PID
    workdir_lock.acquire(workdir)
  checkpoints = checkpoint.Checkpoints(run.path(run_files.CHECKPOINTS_DIR), config.keep_checkpoints)
  if config.restart:
    checkpoints.delete_all()
    run.delete_previous_run()
  else:
    run.check_can_resume(config)
  dataset = multihost.primary_first(lambda: data.load_dataset(config.data), 'dataset')
  config_checks.check_batch_fits(config, dataset['train']['image'].shape[0])
  run.write_config(config)

  trainer = train_loops.Trainer(config, dataset['train'], dataset['test'],
                                validation_split=dataset.get('validation'))
  state, first_epoch, epoch_sums = checkpoints.resume(
      trainer.create_state(), trainer.new_epoch_sums(), config.num_epochs)
  again = ' without --config.restart=True' if config.restart else ''
  run.truncate_metrics(completed_epochs=first_epoch - 1)
  judged_loss = f'{trainer.judged_on}_loss'  # val_loss where the run holds out validation
  best_loss = {name: min((row[name] for row in run.read_metrics() if row.get(name) is not None),
                         default=np.inf) for name in ('train_loss', judged_loss)}
  shown = plots.pick_examples(dataset['test'], config.num_reconstructions)
  class_names = data.CLASS_NAMES[config.data.name]
  logging.info('%s on %s: %d steps of %d examples per epoch, epochs %d to %d.', config.model.name,
               config.data.name, trainer.steps_per_epoch, config.batch_size, first_epoch, config.num_epochs)

  evaluation = None
  progress = (console.Progress(trainer.steps_per_epoch, config.num_epochs)
              if multihost.is_primary() else None)
  with interrupts.StopRequest() as stop:
    for epoch in range(first_epoch, config.num_epochs + 1):
      steps_at_start = 0 if epoch_sums is None else int(jax.device_get(epoch_sums['steps']))
      start = time.perf_counter()
      state, epoch_sums = trainer.train_epoch(
          state, train_loops.shuffle_key(config.seed, epoch), epoch_sums, stop,
          progress.epoch(epoch) if progress else None)
      host_sums = jax.device_get(epoch_sums)
      epoch_seconds = time.perf_counter() - start
      run.write_diagnostics(trainer.take_diagnostics(), config)
      nonfinite = host_sums['first_nonfinite_step'] >= 0
      if stop.requested and nonfinite:
        _raise_nonfinite(epoch, host_sums, checkpoints, again)  # never checkpoint those sums
      if stop.requested:
        checkpoints.save(state, epoch_sums, checkpoint.Position(epoch, epoch - 1), again)
        raise Interrupted(
            f'stopped by signal {stop.signal_number} at epoch {epoch}, step '
            f'{int(host_sums["steps"])} of {trainer.steps_per_epoch}; checkpoint saved: run '
            f'the same command{again} to resume.', exit_code=stop.exit_code)

      evaluation = jax.device_get(trainer.held_out_metrics(state, epoch == config.num_epochs))
      metrics = trainer.epoch_metrics(epoch, host_sums, evaluation, epoch_seconds,
                                      steps_at_start)
      console.log_epoch(metrics, config.num_epochs)
      run.write_epoch(metrics, tasks.epoch_pictures(
          config.task, trainer.predictor(state), shown, evaluation, class_names,
          tasks.picture_title(config, epoch, evaluation)))
      if nonfinite:
        _raise_nonfinite(epoch, host_sums, checkpoints, again)
      if not np.isfinite(metrics[judged_loss]):  # diverged BatchNorm statistics, or overflow
        _raise_nonfinite(epoch, host_sums, checkpoints, again,
                         what=f'{judged_loss} became {metrics[judged_loss]} at epoch {epoch}')
      for name, best in best_loss.items():
        if metrics[name] > 10 * best:
          logging.warning('%s jumped to %.4g at epoch %d, over 10x the best so far (%.4g): '
                          'training is unstable.', name, metrics[name], epoch, best)
        best_loss[name] = min(best, metrics[name])
      if epoch % config.checkpoint_every_epochs == 0 or epoch == config.num_epochs:
        checkpoints.save(state, trainer.new_epoch_sums(), checkpoint.Position(epoch, epoch),
                         again)
      epoch_sums = None

  run.write_model(state)
  if evaluation is None:  # the workdir's run had already finished: no epoch ran here
    evaluation = jax.device_get(trainer.test_metrics(state))
  title = tasks.picture_title(config, config.num_epochs, evaluation)
  pictures = tasks.final_pictures(
      config.task, trainer.predictor(state), shown, evaluation,
      lambda: trainer.predict_test_split(state), dataset['test'], class_names, title)
  pictures['loss_curve'] = plots.loss_curve_png(run.read_metrics(),
                                                tasks.LOSS_DESCRIPTIONS[config.task], title)
  run.write_pictures(pictures)
  checkpoints.close()
  workdir_lock.release(workdir)
  return state
