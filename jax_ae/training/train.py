"""Training and evaluation: `train_and_evaluate`, the whole run, top to bottom.

The pieces it composes, each in its module: the training math (steps.py), the
on-device epoch (train_loops.py), held-out evaluation (held_out.py), what happens
after each epoch (epoch_end.py), the workdir's files (run_files.py, tensorboard_events.py),
its checkpoints and whether they may be resumed (checkpoint.py, resume.py).
"""

import datetime
import math
import time
from typing import Dict, Optional

from absl import logging
import jax
import ml_collections

from jax_ae.config import config_checks
from jax_ae.datasets import data
from jax_ae.errors import ConfigError
from jax_ae.errors import Diverged
from jax_ae.errors import Interrupted
from jax_ae.figures import plots
from jax_ae.figures import run_pictures
from jax_ae.runtime import host
from jax_ae.runtime import interrupts
from jax_ae.runtime import multihost
from jax_ae.training import epoch_end
from jax_ae.training import held_out
from jax_ae.training import steps
from jax_ae.training import train_loops
from jax_ae.workdir import checkpoint
from jax_ae.workdir import console
from jax_ae.workdir import resume
from jax_ae.workdir import run_files
from jax_ae.workdir import tensorboard_events
from jax_ae.workdir import workdir_lock


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str,
                       dataset: Optional[Dict[str, data.Split]] = None,
                       config_file: str = '') -> steps.TrainState:
  """Trains to `config.num_epochs` epochs, evaluating after each; returns the final state.

  Resumes from the newest checkpoint in `workdir` when there is one. Writes
  everything a run leaves behind into `workdir` (run_files.py); the metrics of
  every finished epoch are on disk before the next one starts. `dataset`, if given,
  is `data.load_dataset(config.data)` already loaded (api.py: several runs on one
  dataset read it once).
  `config_file` (main.py's --config) is recorded in sessions.jsonl with the host, so
  that a report names the config each run came from.

  Each metrics row's `wall_seconds` is the run's wall time from this call's start (data
  preparation included) to the epoch's row, added to what its earlier commands took to
  the rows a resumed run kept: a record's time (docs/records.md).
  """
  started = time.monotonic()
  # Set up: the config (and whether it may go on with the workdir's run), the workdir,
  # the data, the jitted loop and evaluation. A refused config leaves log.txt as it was.
  with console.refusals_leave_the_log():
    config_checks.validate(config, workdir)
  run = run_files.RunFiles(workdir, writes=multihost.is_primary())
  if run.writes:  # one run per workdir: a second is refused, naming this one's PID
    workdir_lock.acquire(workdir)
  checkpoints = checkpoint.Checkpoints(run.path(run_files.CHECKPOINTS_DIR),
                                       config.keep_checkpoints)
  if config.restart:  # the workdir's earlier run is replaced, not resumed
    checkpoints.delete_all()
    run.delete_previous_run()
  if dataset is None:
    dataset = multihost.primary_first(lambda: data.load_dataset(config.data), 'dataset')
  trainer = train_loops.Trainer(config, dataset['train'])
  task = trainer.task
  evaluator = held_out.Evaluator(config, task, dataset['test'], trainer.mesh,
                                 validation_split=dataset.get('validation'))
  events = tensorboard_events.EventWriter(workdir, writes=run.writes)

  # Resume: from the newest checkpoint, dropping the metrics of epochs to be redone.
  with console.refusals_leave_the_log():
    state, first_epoch, epoch_sums = resume.resume(
        checkpoints, trainer.create_state(), trainer.new_epoch_sums())
    if first_epoch - 1 > config.num_epochs:
      raise ConfigError(f'--config.num_epochs {config.num_epochs} is below the '
                        f'{first_epoch - 1} epochs this workdir already trained; raise it '
                        f'or use a new --workdir.')
  console.keep_log()  # the run goes on here: its log joins the workdir's log.txt
  run.write_config(config)  # only now: a refused run leaves the workdir's config as it was
  purged_from_step = run.truncate_metrics(completed_epochs=first_epoch - 1)
  if purged_from_step is not None:
    events.purge_from(purged_from_step)
  kept_rows = run.read_metrics()
  earlier_seconds = kept_rows[-1].get('wall_seconds', math.nan) if kept_rows else 0.0
  run.append_session({'started': datetime.datetime.now(datetime.timezone.utc).isoformat(
      timespec='seconds'), 'first_epoch': first_epoch, 'host': host.describe(),
                      'config_file': config_file})
  class_names = data.CLASS_NAMES[config.data.name]
  end = epoch_end.EpochEnd(config, run, events, checkpoints, trainer, evaluator,
                           dataset['test'], class_names)
  logging.info('%s on %s: %d steps of %d examples per epoch, epochs %d to %d.',
               config.model.name, config.data.name, trainer.steps_per_epoch, config.batch_size,
               first_epoch, config.num_epochs)

  # Per epoch: train, evaluate, then the epoch-end actions in order.
  evaluation = None
  progress = (console.Progress(trainer.steps_per_epoch, config.num_epochs)
              if multihost.is_primary() else None)
  with interrupts.StopRequest() as stop:
    for epoch in range(first_epoch, config.num_epochs + 1):
      steps_at_start = 0 if epoch_sums is None else int(jax.device_get(epoch_sums['steps']))
      start = time.perf_counter()
      shown_progress = console.EpochProgress(progress, epoch) if progress else None
      state, epoch_sums = trainer.train_epoch(
          state, steps.shuffle_key(config.seed, epoch), epoch_sums, stop,
          shown_progress.update if shown_progress else None)
      if shown_progress:
        shown_progress.finish()  # the bar cleared for the epoch's line
      host_sums = jax.device_get(epoch_sums)
      seconds = time.perf_counter() - start
      end.record_diagnostics()
      if stop.requested:
        _stop_mid_epoch(epoch, state, epoch_sums, host_sums, stop, trainer, checkpoints)
      evaluation = jax.device_get(evaluator.held_out_results(state, epoch == config.num_epochs))
      finished = epoch_end.Finished(epoch, state, host_sums, evaluation, seconds, steps_at_start,
                                    earlier_seconds + time.monotonic() - started)
      for action in (end.write_metrics, end.draw_pictures, end.check_divergence,
                     end.warn_of_jumps, end.save_checkpoint):
        action(finished)
      epoch_sums = None

  # Finish: the model, the final pictures.
  variables = {'params': state.params, 'batch_stats': state.batch_stats}
  if not bool(jax.device_get(checkpoint.all_finite((variables, state.ema_params)))):
    raise Diverged(f'the final parameters are not finite; {run_files.MODEL_FILE} was not '
                   f'written', checkpoints.last_good_epoch())
  run.write_model(variables)
  if state.ema_params is not None:  # their moving average, for --mode=evaluate to choose
    run.write_model({**variables, 'params': state.ema_params}, run_files.EMA_MODEL_FILE)
  if evaluation is None:  # the workdir's run had already finished: no epoch ran here
    evaluation = jax.device_get(evaluator.test_results(state))
  tested = held_out.weights_state(state, evaluation.get('test_weights', 'raw'))
  title = run_pictures.title(config, f'epoch {config.num_epochs}', task.headline(evaluation))
  pictures = run_pictures.final_pictures(
      task, evaluator.predictor(tested), end.shown, evaluation,
      lambda: evaluator.predict_test_split(tested), dataset['test'], class_names, title)
  pictures['loss_curve'] = plots.loss_curve_png(run.read_metrics(), task.loss_description, title)
  run.write_pictures(pictures)
  per_class = task.per_class(evaluation, class_names)
  if per_class is not None:
    run.write_per_class(per_class)
  checkpoints.close()
  workdir_lock.release(workdir)
  per_class_note = '' if per_class is None else f', accuracy per class ({run_files.PER_CLASS_FILE})'
  logging.info('finished: %s holds the model (%s), its metrics (%s, log.txt%s) and pictures (%s).',
               workdir, run_files.MODEL_FILE, run_files.METRICS_FILE, per_class_note,
               ', '.join(f'{name}.png' for name in sorted(pictures)))
  return state


def _stop_mid_epoch(epoch, state, epoch_sums, host_sums, stop, trainer, checkpoints) -> None:
  """On SIGINT/SIGTERM: checkpoints the epoch where it stopped, then raises Interrupted."""
  epoch_end.check_steps_finite(host_sums, epoch, checkpoints)  # never checkpoint those sums
  checkpoints.save(state, epoch_sums, checkpoint.Position(epoch, epoch - 1))
  raise Interrupted(f'{stop.signal_name} at epoch {epoch}, step {int(host_sums["steps"])} of '
                    f'{trainer.steps_per_epoch}; checkpoint saved',
                    exit_code=stop.exit_code)
