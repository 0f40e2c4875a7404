"""The epoch: the on-device machinery that runs steps.train_step over a shuffled split.

Two train loops run the same steps. python: a Python loop over one jitted, donated
step; responsive to a stop after any step. scan: many steps inside one jitted device
loop; one dispatch per call. `resolve` says which `train.loop='auto'` picks here.
Either keeps at most one or two calls queued, so a stop is seen within a call or two.

The whole dataset lives on the device and each epoch's shuffle is drawn there, so the
hot loop moves no data between host and device; the epoch's metrics are summed on the
device and come back once, at its end. `Trainer` holds one run's jitted functions;
held_out.py evaluates, train.py decides what to do with an epoch's results.
"""

import collections
import functools
import time
from typing import Callable, Dict, List, Optional, Sequence

from absl import logging
import jax
import jax.numpy as jnp
import ml_collections

from jax_ae.config import config_checks
from jax_ae.datasets import augment
from jax_ae.models import losses
from jax_ae.models import networks
from jax_ae.models import tasks
from jax_ae.runtime import interrupts
from jax_ae.training import sharding
from jax_ae.training import diagnostics
from jax_ae.training import steps
from jax_ae.workdir import trained

Batch = Dict[str, jax.Array]

# The faster loop per backend, for dense and for convolutional models. CPU: measured
# (docs/performance.md): a device loop speeds dense steps up, and slows convolutions
# down many times over on XLA:CPU. GPU and TPU, unmeasured: scan, since their steps for
# these small models are shorter than a dispatch.
FASTER_LOOP = {
    'cpu': {'dense': 'scan', 'convolutional': 'python'},
    'gpu': {'dense': 'scan', 'convolutional': 'scan'},
    'tpu': {'dense': 'scan', 'convolutional': 'scan'},
}


def resolve(loop: str, model_name: str, convolutional_objective: bool = False) -> str:
  """'python' or 'scan': `loop` itself, or for 'auto' the faster one for this model here.

  `convolutional_objective`: the step also runs a convolutional network besides the
  model (the perceptual term's classifier), so it is timed as a convolutional one.
  """
  if loop != 'auto':
    return loop
  convolutional = networks.REGISTRY[model_name].convolutional or convolutional_objective
  kind = 'convolutional' if convolutional else 'dense'
  return FASTER_LOOP.get(jax.default_backend(), FASTER_LOOP['gpu'])[kind]


def config_loop(config: ml_collections.ConfigDict) -> str:
  """The loop `config` trains with here: `resolve` of its train.loop and model, with the
  perceptual term's classifier (optim.perceptual_model, declared beside its workdir)
  counted in the step. The config alone decides: no other run's files are read."""
  convolutional_objective = (config.optim.perceptual_weight > 0 and
                             networks.REGISTRY[config.optim.perceptual_model].convolutional)
  return resolve(config.train.loop, config.model.name, convolutional_objective)


def _epoch_batch_indices(key: jax.Array, num_examples: int, num_steps: int,
                         batch_size: int) -> jax.Array:
  """One epoch's shuffle, cut into [num_steps, batch_size] example indices."""
  permutation = jax.random.permutation(key, num_examples)
  return permutation[:num_steps * batch_size].reshape(num_steps, batch_size)


def _train_step_on_device(state: steps.TrainState, epoch_sums: Dict[str, jax.Array],
                          train_arrays: Batch, batch_indices: jax.Array, run_key: jax.Array,
                          loss: losses.Loss, augmentation: augment.Augmentation,
                          batch_sharding: Optional[jax.sharding.Sharding] = None,
                          grad_norm_every: int = 1):
  """train_step on the next batch of the epoch's shuffle, metrics summed on device.

  `epoch_sums['steps']` counts the steps taken this epoch and so also picks the
  batch, and the step number picks the step's key from `run_key`: the loop passes no
  per-step value from the host, and a resumed run draws the same keys. With
  `batch_sharding`, each device gathers and trains on its slice of the batch. The first step that
  train_step skipped (its loss not finite) is recorded in `first_nonfinite_step`, so the
  host learns of it once, at the end of the epoch. `grad_norm_every`: train_step's
  (steps.grad_norm_every of the config).
  """
  batch = steps.epoch_batch(train_arrays, batch_indices, epoch_sums['steps'])
  if batch_sharding is not None:
    batch = jax.lax.with_sharding_constraint(batch, batch_sharding)
  step_number = state.step + 1
  key = steps.step_key(run_key, state.step, epoch_sums['steps'])
  state, metrics = steps.train_step(state, batch, key, loss, augmentation, grad_norm_every)
  applied = metrics.pop('applied') > 0
  first_nonfinite_step = jnp.where(
      applied | (epoch_sums['first_nonfinite_step'] >= 0),
      epoch_sums['first_nonfinite_step'], step_number)
  epoch_sums = {'steps': epoch_sums['steps'] + 1,
                'first_nonfinite_step': first_nonfinite_step,
                **{name: epoch_sums[name] + value for name, value in metrics.items()}}
  return state, epoch_sums


def _train_steps_on_device(state: steps.TrainState, epoch_sums: Dict[str, jax.Array],
                           train_arrays: Batch, batch_indices: jax.Array, run_key: jax.Array,
                           loss: losses.Loss, augmentation: augment.Augmentation,
                           batch_sharding: Optional[jax.sharding.Sharding], max_steps: int,
                           grad_norm_every: int = 1):
  """Up to `max_steps` of `_train_step_on_device` in one compiled loop, never past the epoch.

  The 'scan' train loop: one dispatch for many steps. A `while_loop` rather than
  `lax.scan` because a resumed epoch starts at a step known only on the device.
  """
  stop_at = jnp.minimum(epoch_sums['steps'] + max_steps, batch_indices.shape[0])
  return jax.lax.while_loop(
      lambda carry: carry[1]['steps'] < stop_at,
      lambda carry: _train_step_on_device(*carry, train_arrays, batch_indices, run_key, loss,
                                          augmentation, batch_sharding, grad_norm_every),
      (state, epoch_sums))


# Made on the device: jnp.zeros outside jit would copy a host scalar over.
@functools.partial(jax.jit, static_argnums=0)
def new_epoch_sums(task: tasks.Task) -> Dict[str, jax.Array]:
  """What an epoch accumulates on the device; part of every checkpoint. 'grad_norm' sums
  the norms of the 'grad_norm_steps' steps that measured it (steps.train_step)."""
  sums = {'steps': jnp.zeros((), jnp.int32), 'first_nonfinite_step': -jnp.ones((), jnp.int32),
          'grad_norm': jnp.zeros(()), 'grad_norm_steps': jnp.zeros((), jnp.int32)}
  sums.update({name: jnp.zeros(()) for name in task.metric_names})
  return sums


def completed_sums(epoch_sums: Dict[str, jax.Array]) -> Dict[str, jax.Array]:
  """Restored sums with every name of new_epoch_sums: a checkpoint written before the
  gradient's norm was sampled has no 'grad_norm_steps', as each of its steps measured it."""
  if 'grad_norm_steps' in epoch_sums:
    return epoch_sums
  return {**epoch_sums, 'grad_norm_steps': epoch_sums['steps']}


class Trainer:
  """Holds the jitted train loop of one run, compiled once and reused every epoch.

  Runs data-parallel over `devices` (default: all of them, see sharding.py): the
  training split, the keys and the state it is given (`replicate`) live on every
  device, and each step's batch is split across them. `learning_rate_fn` is the run's
  schedule, built once: the optimizer steps on it and the metrics report it.
  The loss is the config's (losses.py), with the frozen classifier of its perceptual
  term loaded from optim.perceptual_workdir (trained.perceptual_classifier) unless
  `perceptual_logits` is given.
  """

  def __init__(self, config: ml_collections.ConfigDict, train_split,
               devices: Optional[Sequence[jax.Device]] = None, perceptual_logits=None):
    self.config = config
    self.mesh = sharding.make_mesh(devices)
    config_checks.check_batches_divide(config, self.mesh.size)  # a mesh of fewer devices too
    self.task = tasks.get(config.task)
    self.num_train_examples = train_split['image'].shape[0]
    self.steps_per_epoch = steps.steps_per_epoch(self.num_train_examples, config.batch_size)
    assert self.steps_per_epoch > 0, 'config_checks.validate refuses a batch above the split'
    self.learning_rate_fn = steps.create_learning_rate_fn(config.optim, self.steps_per_epoch,
                                                          config.num_epochs)
    self.train_arrays = self.replicate(train_split)
    self.run_key = self.replicate(steps.run_key(config.seed))
    self.loop = config_loop(config)
    if perceptual_logits is None:
      perceptual_logits = trained.perceptual_classifier(config)
    self.loss = losses.from_config(config, perceptual_logits)
    step_options = {'loss': self.loss, 'augmentation': augment.from_config(config.augment),
                    'batch_sharding': sharding.batch_sharded(self.mesh),
                    'grad_norm_every': steps.grad_norm_every(config)}
    # The state is donated; the epoch's sums are not: train_epoch reads the step count
    # of a call that a later one may already have consumed (calls_in_flight).
    if self.loop == 'python':
      self.steps_per_call = 1
      self._step = jax.jit(functools.partial(_train_step_on_device, **step_options),
                           donate_argnums=(0,))
    else:
      self.steps_per_call = min(config.train.steps_per_call or self.steps_per_epoch,
                                self.steps_per_epoch)
      self._step = jax.jit(functools.partial(_train_steps_on_device, **step_options,
                                             max_steps=self.steps_per_call),
                           donate_argnums=(0,))
    self._compiled = False
    # How many calls may be queued at once (train_epoch): two keep the device fed between
    # the python loop's short steps; one keeps a stop within one call of the scan loop.
    self.calls_in_flight = 2 if self.steps_per_call == 1 else 1
    # How often the loop asks whether to stop: every call in one process (a Python
    # attribute); with several it is a collective, so every 100 steps or so.
    self.stop_poll_calls = 1 if jax.process_count() == 1 else max(1, 100 // self.steps_per_call)
    everywhere = sharding.replicated(self.mesh)
    self._batch_indices = jax.jit(_epoch_batch_indices, static_argnums=(1, 2, 3),
                                  out_shardings=everywhere)
    # diagnostics.py's measures, every `every_steps` steps (0 = off): a jitted call of
    # their own between the loop's calls, so the train step is the same program either
    # way. In the scan loop they are taken at the first call boundary at or past each
    # multiple. Kept on the device until `take_diagnostics`.
    self.diagnostics_every = config.diagnostics.every_steps
    self._diagnostics = []
    self._measure = jax.jit(functools.partial(
        diagnostics.measure_at_step, loss=self.loss,
        augmentation=step_options['augmentation'],
        sigmoid_code=diagnostics.uses_sigmoid_code(networks.create_model(config.model))),
                            out_shardings=everywhere)

  def replicate(self, tree):
    """`tree` (a TrainState, a split, a key) on every device of this trainer's mesh."""
    return sharding.replicate(tree, self.mesh)

  def create_state(self) -> steps.TrainState:
    """The run's initial TrainState, replicated: a function of the config's seed only."""
    return self.replicate(steps.create_train_state(
        self.config, steps.init_key(self.config.seed), self.learning_rate_fn))

  def new_epoch_sums(self) -> Dict[str, jax.Array]:
    return self.replicate(new_epoch_sums(self.task))

  def compile_step(self, state: steps.TrainState, batch_indices: jax.Array):
    """Compiles the train loop's call ahead of time, saying how long it took.

    The first call of an epoch does this when nothing has yet; the benchmark calls it
    itself to time compiling apart from the steps. The jitted step then reuses the
    compiled program.
    """
    logging.info('compiling the train step (%s loop, %d steps per call)...', self.loop,
                 self.steps_per_call)
    start = time.perf_counter()
    compiled = self._step.lower(state, self.new_epoch_sums(), self.train_arrays,
                                batch_indices, self.run_key).compile()
    self.compile_seconds = time.perf_counter() - start
    logging.info('compiled the train step in %.1f s.', self.compile_seconds)
    self._compiled = True
    return compiled

  def epoch_batch_indices(self, shuffle_key: jax.Array) -> jax.Array:
    return self._batch_indices(self.replicate(shuffle_key), self.num_train_examples,
                               self.steps_per_epoch, self.config.batch_size)

  def _call_step(self, state: steps.TrainState, epoch_sums, batch_indices):
    """One call of the jitted step, compiled first where it is not yet."""
    if not self._compiled:
      self.compile_step(state, batch_indices)
    return self._step(state, epoch_sums, self.train_arrays, batch_indices, self.run_key)

  def train_epoch(self, state: steps.TrainState, shuffle_key: jax.Array,
                  epoch_sums: Optional[Dict[str, jax.Array]] = None,
                  stop: Optional[interrupts.StopRequest] = None,
                  steps_done_callback: Optional[Callable[[int], None]] = None):
    """Runs the rest of an epoch: from `epoch_sums['steps']`, or all of it.

    Returns (state, epoch_sums) with the sums still on device. Stops early when
    `stop` is requested, after the current step (python loop) or call of
    `steps_per_call` steps (scan loop); `epoch_sums['steps']` then says where the
    epoch can resume.

    Few calls are in flight: the scan loop queues a call only once the one before has
    run, the python loop (one short step per call) once the one before the last has,
    so that the host's dispatch overlaps the device's work. JAX alone would queue the
    whole epoch in moments, and a stop read at queuing time would then wait for the
    epoch's last step. The wait, the loop's only host sync, also tells
    `steps_done_callback` (the console's progress bar) how many steps are done.
    """
    batch_indices = self.epoch_batch_indices(shuffle_key)
    # A no-op for a state already on the mesh; else one placement, so the step
    # compiles once rather than for an unplaced first state and placed later ones.
    state = self.replicate(state)
    if epoch_sums is None:
      epoch_sums, steps_done = self.new_epoch_sums(), 0
    else:
      epoch_sums = self.replicate(completed_sums(epoch_sums))
      steps_done = int(jax.device_get(epoch_sums['steps']))
    every = self.diagnostics_every
    if every:  # the run's step at this epoch's start, to find each multiple of `every`
      first_step = int(jax.device_get(state.step)) - steps_done
      if first_step + steps_done == 0:  # the initial state is measured too
        self._measure_now(state, epoch_sums, batch_indices)
    in_flight = collections.deque()  # epoch_sums['steps'] of each call not yet waited on
    for call, start in enumerate(range(steps_done, self.steps_per_epoch, self.steps_per_call)):
      if stop is not None and call % self.stop_poll_calls == 0 and stop.agree():
        break
      state, epoch_sums = self._call_step(state, epoch_sums, batch_indices)
      end = min(start + self.steps_per_call, self.steps_per_epoch)
      if every and (first_step + end) // every > (first_step + start) // every:
        self._measure_now(state, epoch_sums, batch_indices)
      in_flight.append(epoch_sums['steps'])
      if len(in_flight) == self.calls_in_flight:
        steps_run = int(jax.device_get(in_flight.popleft()))
        if steps_done_callback is not None:
          steps_done_callback(steps_run)
    if stop is not None:
      stop.agree()  # what every process then reads in stop.requested
    return state, epoch_sums

  def _measure_now(self, state: steps.TrainState, epoch_sums, batch_indices) -> None:
    self._diagnostics.append(self._measure(state, self.train_arrays, batch_indices,
                                           epoch_sums['steps'], self.run_key))

  def take_diagnostics(self) -> List[Dict[str, float]]:
    """The diagnostics measured since the last call, fetched: one row per measurement."""
    rows, self._diagnostics = jax.device_get(self._diagnostics), []
    return [{name: int(value) if name == 'step' else float(value)
             for name, value in row.items()} for row in rows]
