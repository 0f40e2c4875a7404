"""Training and evaluation, top to bottom as the algorithm.

`train_step` and `eval_step` are pure functions `(state, batch, ...) -> ...`; the jit
happens once, in `Trainer`, around the loops that use them. What is learned (loss,
metrics, pictures) comes from `config.task` through tasks.py, so autoencoders and
classifiers share this one loop. The whole
dataset lives on the device and each epoch's shuffle is drawn there, so the hot
loop moves no data between host and device; metrics come back once per epoch.
"""

import functools
import time
from typing import Any, Callable, Dict, Optional, Sequence

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
from jax_ae import data
from jax_ae import interrupts
from jax_ae import models
from jax_ae import multihost
from jax_ae import plots
from jax_ae import run_files
from jax_ae import sharding
from jax_ae import tasks
from jax_ae import train_loops
from jax_ae.errors import ConfigError
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
  """Adam on the schedule, after global-norm clipping when `clip_norm` > 0.

  With `weight_decay` > 0 it is AdamW: the kernels (not biases or BatchNorm scales)
  shrink by learning_rate * weight_decay per step, decoupled from Adam's scaling.
  """
  # Same state structure with and without clipping, so a run can resume with it
  # (weight decay changes the structure: run_files.RESUMABLE_FIELDS leaves it out).
  clip = (optax.clip_by_global_norm(optim_config.clip_norm) if optim_config.clip_norm > 0
          else optax.identity())
  if optim_config.weight_decay > 0:
    kernels_only = lambda params: jax.tree.map_with_path(
        lambda path, _: getattr(path[-1], 'key', None) == 'kernel', params)
    return optax.chain(clip, optax.adamw(learning_rate_fn, weight_decay=optim_config.weight_decay,
                                         mask=kernels_only))
  return optax.chain(clip, optax.adam(learning_rate_fn))


def create_train_state(config: ml_collections.ConfigDict, rng: jax.Array,
                       num_steps_per_epoch: Optional[int] = None) -> TrainState:
  """Initialises the configured model and Adam(W) on the configured schedule.

  The schedule counts epochs in steps of the real training split; without
  `num_steps_per_epoch`, that of the dataset's canonical training split.
  """
  if num_steps_per_epoch is None:
    num_steps_per_epoch = steps_per_epoch(data.NUM_TRAIN_EXAMPLES[config.data.name],
                                          config.batch_size)
  model = models.create_model(config.model)
  variables = model.init(rng, jnp.zeros((2, models.IMAGE_PIXELS), jnp.float32), train=False)
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


def _epoch_batch_indices(key: jax.Array, num_examples: int, num_steps: int,
                         batch_size: int) -> jax.Array:
  """One epoch's shuffle, cut into [num_steps, batch_size] example indices."""
  permutation = jax.random.permutation(key, num_examples)
  return permutation[:num_steps * batch_size].reshape(num_steps, batch_size)


def _train_step_on_device(state: TrainState, epoch_sums: Dict[str, jax.Array],
                          train_arrays: Batch, batch_indices: jax.Array, run_key: jax.Array,
                          task: str, augmentation: augment.Augmentation,
                          batch_sharding: Optional[jax.sharding.Sharding] = None):
  """train_step on the next batch of the epoch's shuffle, metrics summed on device.

  `epoch_sums['steps']` counts the steps taken this epoch and so also picks the
  batch, and the step number picks the step's key from `run_key`: the loop passes no
  per-step value from the host, and a resumed run draws the same keys. With
  `batch_sharding`, each device gathers and trains on its slice of the batch. The first step whose loss
  or gradient is not finite (train_step skips it) is recorded in
  `first_nonfinite_step`, so the host learns of it once, at the end of the epoch.
  """
  indices = batch_indices[epoch_sums['steps']]
  batch = jax.tree.map(lambda array: jnp.take(array, indices, axis=0), train_arrays)
  if batch_sharding is not None:
    batch = jax.lax.with_sharding_constraint(batch, batch_sharding)
  step_number = state.step + 1
  # Folding in the epoch's step count as well: a skipped (non-finite) step leaves
  # state.step as it was, and the next step must not reuse its key.
  step_key = jax.random.fold_in(jax.random.fold_in(run_key, state.step), epoch_sums['steps'])
  state, metrics = train_step(state, batch, step_key, task, augmentation)
  finite = jnp.isfinite(metrics['loss']) & jnp.isfinite(metrics['grad_norm'])
  first_nonfinite_step = jnp.where(
      finite | (epoch_sums['first_nonfinite_step'] >= 0),
      epoch_sums['first_nonfinite_step'], step_number)
  epoch_sums = {'steps': epoch_sums['steps'] + 1,
                'first_nonfinite_step': first_nonfinite_step,
                **{name: epoch_sums[name] + value for name, value in metrics.items()}}
  return state, epoch_sums


def _train_steps_on_device(state: TrainState, epoch_sums: Dict[str, jax.Array],
                           train_arrays: Batch, batch_indices: jax.Array, run_key: jax.Array,
                           task: str, augmentation: augment.Augmentation,
                           batch_sharding: Optional[jax.sharding.Sharding], max_steps: int):
  """Up to `max_steps` of `_train_step_on_device` in one compiled loop, never past the epoch.

  The 'scan' train loop: one dispatch for many steps. A `while_loop` rather than
  `lax.scan` because a resumed epoch starts at a step known only on the device.
  """
  stop_at = jnp.minimum(epoch_sums['steps'] + max_steps, batch_indices.shape[0])
  return jax.lax.while_loop(
      lambda carry: carry[1]['steps'] < stop_at,
      lambda carry: _train_step_on_device(*carry, train_arrays, batch_indices, run_key, task,
                                          augmentation, batch_sharding),
      (state, epoch_sums))


# Made on the device: jnp.zeros outside jit would copy a host scalar over.
@functools.partial(jax.jit, static_argnums=0)
def new_epoch_sums(task: str = 'reconstruct') -> Dict[str, jax.Array]:
  """What an epoch accumulates on the device; part of every checkpoint."""
  sums = {'steps': jnp.zeros((), jnp.int32), 'first_nonfinite_step': -jnp.ones((), jnp.int32),
          'grad_norm': jnp.zeros(())}
  sums.update({name: jnp.zeros(()) for name in tasks.metric_names(task)})
  return sums


def batch_for_evaluation(split: Dict[str, np.ndarray], eval_batch_size: int,
                         mesh: Optional[jax.sharding.Mesh] = None) -> Batch:
  """Pads a split to whole batches: [num_batches, eval_batch_size, ...] plus a mask.

  On `mesh`, each batch is split across its devices (axis 1); else on the default device.
  """
  num_examples = split['image'].shape[0]
  num_batches = -(-num_examples // eval_batch_size)
  padding = num_batches * eval_batch_size - num_examples

  def pad_and_batch(array):
    padded = np.concatenate([array, np.zeros((padding,) + array.shape[1:], array.dtype)])
    return padded.reshape((num_batches, eval_batch_size) + array.shape[1:])

  batched = {name: pad_and_batch(array) for name, array in split.items()}
  batched['mask'] = pad_and_batch(np.ones(num_examples, np.float32))
  return jax.device_put(batched, sharding.batch_sharded(mesh, 1) if mesh is not None else None)


def evaluate(state: TrainState, batched_split: Batch,
             task: str = 'reconstruct') -> Dict[str, jax.Array]:
  """The task's mean metrics over a split from `batch_for_evaluation`, in one call.

  {'loss'} for reconstruction; {'loss', 'accuracy', 'confusion'} for classification,
  where 'confusion' holds [10, 10] counts (true class, predicted class).
  """

  def accumulate(totals, batch):
    return jax.tree.map(jnp.add, totals, eval_step(state, batch, task)), None

  first_batch = jax.tree.map(lambda array: array[0], batched_split)
  shapes = jax.eval_shape(functools.partial(eval_step, task=task), state, first_batch)
  zeros = jax.tree.map(lambda shape: jnp.zeros(shape.shape, shape.dtype), shapes)
  totals, _ = jax.lax.scan(accumulate, zeros, batched_split)
  means = {name: totals[f'{name}_sum'] / totals['count'] for name in tasks.metric_names(task)}
  if 'confusion' in totals:
    means['confusion'] = totals['confusion']
  return means


def predict_batches(state: TrainState, batched_split: Batch) -> jax.Array:
  """`predict` over a split from `batch_for_evaluation`: [num_batches, batch, ...]."""
  return jax.lax.map(lambda batch: predict(state, batch['image']), batched_split)


class Trainer:
  """Holds the jitted functions of one run, compiled once and reused every epoch.

  Runs data-parallel over `devices` (default: all of them, see sharding.py): the
  datasets, the keys and the state it is given (`replicate`) live on every device, and
  each step's batch is split across them.
  """

  def __init__(self, config: ml_collections.ConfigDict, train_split, test_split,
               devices: Optional[Sequence[jax.Device]] = None):
    self.config = config
    self.mesh = sharding.make_mesh(devices)
    sharding.check_batches_divide(config.batch_size, config.eval_batch_size, self.mesh.size)
    self.task = config.task
    self.num_train_examples = train_split['image'].shape[0]
    self.num_test_examples = test_split['image'].shape[0]
    self.steps_per_epoch = steps_per_epoch(self.num_train_examples, config.batch_size)
    self.learning_rate_fn = create_learning_rate_fn(config.optim, self.steps_per_epoch)
    self.train_arrays = self.replicate(train_split)
    self.test_batches = batch_for_evaluation(test_split, config.eval_batch_size, self.mesh)
    self.run_key = self.replicate(run_key(config.seed))
    self.loop = train_loops.resolve(config.train.loop, config.model.name)
    step_options = {'task': self.task, 'augmentation': augment.from_config(config.augment),
                    'batch_sharding': sharding.batch_sharded(self.mesh)}
    if self.loop == 'python':
      self.steps_per_call = 1
      self._step = jax.jit(functools.partial(_train_step_on_device, **step_options),
                           donate_argnums=(0, 1))
    else:
      self.steps_per_call = min(config.train.steps_per_call or self.steps_per_epoch,
                                self.steps_per_epoch)
      self._step = jax.jit(functools.partial(_train_steps_on_device, **step_options,
                                             max_steps=self.steps_per_call),
                           donate_argnums=(0, 1))
    # How often the loop asks whether to stop: every call in one process (a Python
    # attribute); with several it is a collective, so every 100 steps or so.
    self.stop_poll_calls = 1 if jax.process_count() == 1 else max(1, 100 // self.steps_per_call)
    everywhere = sharding.replicated(self.mesh)
    self._batch_indices = jax.jit(_epoch_batch_indices, static_argnums=(1, 2, 3),
                                  out_shardings=everywhere)
    self._evaluate = jax.jit(functools.partial(evaluate, task=self.task),
                             out_shardings=everywhere)
    self._predict_batches = jax.jit(predict_batches, out_shardings=everywhere)
    self.predict = jax.jit(predict, out_shardings=everywhere)

  def replicate(self, tree):
    """`tree` (a TrainState, a split, a key) on every device of this trainer's mesh."""
    return sharding.replicate(tree, self.mesh)

  def create_state(self) -> TrainState:
    """The run's initial TrainState, replicated: a function of the config's seed only."""
    return self.replicate(create_train_state(self.config, init_key(self.config.seed),
                                             self.steps_per_epoch))

  def new_epoch_sums(self) -> Dict[str, jax.Array]:
    return self.replicate(new_epoch_sums(self.task))

  def compile_step(self, state: TrainState, batch_indices: jax.Array):
    """Compiles the train loop's call ahead of time (the benchmark times this)."""
    return self._step.lower(state, self.new_epoch_sums(), self.train_arrays, batch_indices,
                            self.run_key).compile()

  def epoch_batch_indices(self, shuffle_key: jax.Array) -> jax.Array:
    return self._batch_indices(self.replicate(shuffle_key), self.num_train_examples,
                               self.steps_per_epoch, self.config.batch_size)

  def train_epoch(self, state: TrainState, shuffle_key: jax.Array,
                  epoch_sums: Optional[Dict[str, jax.Array]] = None,
                  stop: Optional[interrupts.StopRequest] = None):
    """Runs the rest of an epoch: from `epoch_sums['steps']`, or all of it.

    Returns (state, epoch_sums) with the sums still on device. Stops early when
    `stop` is requested, after the current step (python loop) or call of
    `steps_per_call` steps (scan loop); `epoch_sums['steps']` then says where the
    epoch can resume.
    """
    batch_indices = self.epoch_batch_indices(shuffle_key)
    # A no-op for a state already on the mesh; else one placement, so the step
    # compiles once rather than for an unplaced first state and placed later ones.
    state = self.replicate(state)
    if epoch_sums is None:
      epoch_sums, steps_done = self.new_epoch_sums(), 0
    else:
      epoch_sums = self.replicate(epoch_sums)
      steps_done = int(jax.device_get(epoch_sums['steps']))
    for call, _ in enumerate(range(steps_done, self.steps_per_epoch, self.steps_per_call)):
      if stop is not None and call % self.stop_poll_calls == 0 and stop.agree():
        break
      state, epoch_sums = self._step(state, epoch_sums, self.train_arrays, batch_indices,
                                     self.run_key)
    if stop is not None:
      stop.agree()  # what every process then reads in stop.requested
    return state, epoch_sums

  def evaluate(self, state: TrainState) -> Dict[str, jax.Array]:
    """The test split's metrics on device: 'test_loss' (, 'test_accuracy', 'confusion')."""
    results = self._evaluate(state, self.test_batches)
    return {(name if name == 'confusion' else f'test_{name}'): value
            for name, value in results.items()}

  def predictor(self, state: TrainState) -> Callable[[np.ndarray], np.ndarray]:
    """images -> evaluation-mode outputs on the host, with this state's parameters."""
    return lambda images: np.asarray(self.predict(state, images))

  def predict_test_split(self, state: TrainState) -> np.ndarray:
    """Evaluation-mode outputs for every test example, in order: [num_test, ...]."""
    outputs = np.asarray(self._predict_batches(state, self.test_batches))
    return outputs.reshape((-1,) + outputs.shape[2:])[:self.num_test_examples]


def init_key(seed: int) -> jax.Array:
  """The key that initialises the parameters: a function of the seed only."""
  return jax.random.fold_in(jax.random.key(seed), 0)


def shuffle_key(seed: int, epoch: int) -> jax.Array:
  """The key of an epoch's shuffle: a function of the seed and the epoch only."""
  return jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), 1), epoch)


def run_key(seed: int) -> jax.Array:
  """The key that, folded with a step number, gives that step's augmentation and dropout."""
  return jax.random.fold_in(jax.random.key(seed), 2)


def _epoch_metrics(task: str, epoch: int, step: int, epoch_sums, test_metrics,
                   learning_rate: float, seconds: float, examples: int, loop: str):
  num_steps = int(epoch_sums['steps'])
  metrics = {'epoch': epoch, 'step': step}
  for name in tasks.metric_names(task):
    metrics[f'train_{name}'] = float(epoch_sums[name]) / num_steps
    metrics[f'test_{name}'] = float(test_metrics[f'test_{name}'])
  return {
      **metrics,
      'learning_rate': learning_rate,
      'grad_norm': float(epoch_sums['grad_norm']) / num_steps,
      'epoch_seconds': seconds,
      'examples_per_second': examples / seconds,
      'loop': loop,
  }


def _raise_nonfinite(epoch: int, host_sums, checkpoints, again: str):
  """Stops the run on a non-finite step, naming the checkpoint it can resume from."""
  last_good = checkpoints.latest_position()
  kept = (f'epoch {last_good.completed_epochs}' if last_good is not None
          else 'none (no epoch finished before)')
  raise NonFiniteLossError(
      f'loss became NaN at epoch {epoch} (step {int(host_sums["first_nonfinite_step"])}); '
      f'the last good checkpoint is {kept}; lower the learning rate or set '
      f'--config.optim.clip_norm, then run again{again} to resume from it.')


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> TrainState:
  """Trains to `config.num_epochs` epochs, evaluating on the test split after each.

  Resumes from the newest checkpoint in `workdir` when there is one. Writes
  everything a run leaves behind into `workdir` (see run_files.py); the metrics of
  every finished epoch are on disk before the next one starts.
  """
  config_checks.validate(config)
  run = run_files.RunFiles(workdir, writes=multihost.is_primary())
  checkpoints = checkpoint.Checkpoints(run.path(run_files.CHECKPOINTS_DIR), config.keep_checkpoints)
  if config.restart:
    checkpoints.delete_all()
    run.delete_previous_run()
  else:
    run.check_can_resume(config)
  dataset = multihost.primary_first(lambda: data.load_dataset(config.data), 'dataset')
  config_checks.check_batch_fits(config, dataset['train']['image'].shape[0])
  run.write_config(config)

  trainer = Trainer(config, dataset['train'], dataset['test'])
  state = trainer.create_state()
  first_epoch, epoch_sums, evaluation = 1, None, None
  restored = checkpoints.restore_latest(state, trainer.new_epoch_sums())
  if restored is not None:
    state, saved_sums, position = restored
    first_epoch = position.epoch if position.mid_epoch else position.completed_epochs + 1
    epoch_sums = saved_sums if position.mid_epoch else None
    logging.info('Resuming from the checkpoint at step %d (epoch %d, %d complete).',
                 int(state.step), position.epoch, position.completed_epochs)
    if position.completed_epochs > config.num_epochs:
      raise ConfigError(f'num_epochs {config.num_epochs} is below the {position.completed_epochs} '
                        f'epochs this workdir already trained; raise it or use a new --workdir.')
  again = ' without --config.restart=True' if config.restart else ''
  run.truncate_metrics(completed_epochs=first_epoch - 1)
  best_train_loss = min((row['train_loss'] for row in run.read_metrics()), default=np.inf)
  shown = plots.pick_examples(dataset['test'], config.num_reconstructions)
  class_names = data.CLASS_NAMES[config.data.name]
  logging.info('%s on %s: %d steps of %d examples per epoch, epochs %d to %d.',
               config.model.name, config.data.name, trainer.steps_per_epoch, config.batch_size,
               first_epoch, config.num_epochs)

  with interrupts.StopRequest() as stop:
    for epoch in range(first_epoch, config.num_epochs + 1):
      steps_at_start = 0 if epoch_sums is None else int(jax.device_get(epoch_sums['steps']))
      start = time.perf_counter()
      state, epoch_sums = trainer.train_epoch(
          state, shuffle_key(config.seed, epoch), epoch_sums, stop)
      host_sums = jax.device_get(epoch_sums)
      epoch_seconds = time.perf_counter() - start
      nonfinite = host_sums['first_nonfinite_step'] >= 0
      if stop.requested and nonfinite:
        _raise_nonfinite(epoch, host_sums, checkpoints, again)  # never checkpoint those sums
      if stop.requested:
        checkpoints.save(state, epoch_sums, checkpoint.Position(epoch, epoch - 1))
        raise Interrupted(
            f'stopped by signal {stop.signal_number} at epoch {epoch}, step '
            f'{int(host_sums["steps"])} of {trainer.steps_per_epoch}; checkpoint saved: run '
            f'the same command{again} to resume.', exit_code=stop.exit_code)
      step = epoch * trainer.steps_per_epoch
      evaluation = jax.device_get(trainer.evaluate(state))
      metrics = _epoch_metrics(
          config.task, epoch, step, host_sums, evaluation,
          float(trainer.learning_rate_fn(step - 1)),
          epoch_seconds, (trainer.steps_per_epoch - steps_at_start) * config.batch_size,
          trainer.loop)
      logging.info('epoch %d/%d  train_loss %.5f  test_loss %.5f  lr %.2e  grad_norm %.3f  '
                   '%.1fs (%.0f examples/s)', epoch, config.num_epochs, metrics['train_loss'],
                   metrics['test_loss'], metrics['learning_rate'], metrics['grad_norm'],
                   epoch_seconds, metrics['examples_per_second'])
      if 'test_accuracy' in metrics:
        logging.info('epoch %d/%d  train_accuracy %.4f  test_accuracy %.4f', epoch,
                     config.num_epochs, metrics['train_accuracy'], metrics['test_accuracy'])
      run.write_epoch(metrics, tasks.epoch_pictures(
          config.task, trainer.predictor(state), shown, evaluation, class_names))
      if nonfinite:
        _raise_nonfinite(epoch, host_sums, checkpoints, again)
      if metrics['train_loss'] > 10 * best_train_loss:
        logging.warning('train_loss jumped to %.4g at epoch %d, over 10x the best so far '
                        '(%.4g): training is unstable.', metrics['train_loss'], epoch,
                        best_train_loss)
      best_train_loss = min(best_train_loss, metrics['train_loss'])
      if epoch % config.checkpoint_every_epochs == 0 or epoch == config.num_epochs:
        checkpoints.save(state, trainer.new_epoch_sums(), checkpoint.Position(epoch, epoch))
      epoch_sums = None

  run.write_model(state)
  if evaluation is None:  # the workdir's run had already finished: no epoch ran here
    evaluation = jax.device_get(trainer.evaluate(state))
  pictures = tasks.final_pictures(
      config.task, trainer.predictor(state), shown, evaluation,
      lambda: trainer.predict_test_split(state),
      dataset['test'], class_names)
  pictures['loss_curve'] = plots.loss_curve_png(run.read_metrics(),
                                                tasks.LOSS_DESCRIPTIONS[config.task])
  run.write_pictures(pictures)
  checkpoints.close()
  return state
