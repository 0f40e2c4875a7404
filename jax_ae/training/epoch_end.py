"""What a run does once an epoch is trained and evaluated: a few named actions, in order.

train.train_and_evaluate hands each action the `Finished` epoch:
  write_metrics     the metrics.jsonl row, the console line, TensorBoard's scalars
  draw_pictures     the epoch's pictures, to TensorBoard
  check_divergence  a non-finite step or held-out loss ends the run (errors.Diverged)
  warn_of_jumps     a loss over 10x its best so far is named in a warning
  save_checkpoint   every `checkpoint_every_epochs` epochs and after the last
The metrics of an epoch are on disk before its divergence check can stop the run, and
no checkpoint is written for an epoch that diverged. These are clu.periodic_actions'
kind of callbacks, run every epoch on its results (BUILD.md says why not clu's).
"""

import dataclasses
import math
from typing import Any, Dict, List, Optional

from absl import logging
import ml_collections
import numpy as np

from jax_ae.errors import Diverged
from jax_ae.figures import plots
from jax_ae.figures import run_pictures
from jax_ae.training import held_out
from jax_ae.training import steps
from jax_ae.training import train_loops
from jax_ae.workdir import checkpoint
from jax_ae.workdir import console
from jax_ae.workdir import run_files
from jax_ae.workdir import tensorboard_events


@dataclasses.dataclass
class Finished:
  """One finished epoch, as its actions see it."""

  epoch: int
  state: steps.TrainState
  sums: Dict[str, np.ndarray]  # the epoch's on-device sums (train_loops), fetched
  evaluation: Dict[str, np.ndarray]  # held_out.Evaluator.held_out_results, fetched
  seconds: float  # the epoch's training time in this process
  steps_at_start: int  # steps a resumed epoch had done before, not timed here
  wall_seconds: float = math.nan  # the run's wall time to here, data preparation included
  row: Optional[Dict[str, Any]] = None  # its metrics.jsonl row, once written


def metrics_row(finished: Finished, trainer: train_loops.Trainer) -> Dict[str, Any]:
  """One row of metrics.jsonl: the epoch's summed train metrics as means, its held-out ones."""
  num_steps = int(finished.sums['steps'])
  step = finished.epoch * trainer.steps_per_epoch
  row = {'epoch': finished.epoch, 'step': step}
  for name in trainer.task.metric_names:
    row[f'train_{name}'] = float(finished.sums[name]) / num_steps
    for held_out_name in (f'{split}_{weights}{name}' for split in ('val', 'test')
                          for weights in ('', 'ema_')):
      if held_out_name in finished.evaluation:
        row[held_out_name] = float(finished.evaluation[held_out_name])
  if 'test_weights' in finished.evaluation:  # 'raw' or 'ema': chosen on validation
    row['test_weights'] = str(finished.evaluation['test_weights'])
  examples = (trainer.steps_per_epoch - finished.steps_at_start) * trainer.config.batch_size
  # The mean over the steps that measured the norm (train.grad_norm_every_steps); an
  # epoch shorter than that interval may have none, and then no figure.
  measured = int(finished.sums['grad_norm_steps'])
  grad_norm = {'grad_norm': float(finished.sums['grad_norm']) / measured} if measured else {}
  return {**row, 'learning_rate': float(trainer.learning_rate_fn(step - 1)), **grad_norm,
          'epoch_seconds': finished.seconds, 'wall_seconds': finished.wall_seconds,
          'examples_per_second': examples / finished.seconds, 'loop': trainer.loop}


def check_steps_finite(sums: Dict[str, np.ndarray], epoch: int, checkpoints) -> None:
  """Raises Diverged where a step of the epoch (fetched sums) had a non-finite loss; the
  run goes on from `checkpoints`' last good epoch."""
  step = int(sums['first_nonfinite_step'])
  if step >= 0:
    raise Diverged(f'loss became NaN at epoch {epoch} (step {step})',
                   checkpoints.last_good_epoch())


class EpochEnd:
  """The epoch-end actions of one run, and what they remember between epochs."""

  def __init__(self, config: ml_collections.ConfigDict, run: run_files.RunFiles,
               events: tensorboard_events.EventWriter, checkpoints: checkpoint.Checkpoints,
               trainer: train_loops.Trainer, evaluator: held_out.Evaluator,
               test_split: Dict[str, np.ndarray], class_names):
    self.config = config
    self.task = trainer.task
    self.run = run
    self.events = events
    self.checkpoints = checkpoints
    self.trainer = trainer
    self.evaluator = evaluator
    # The test images every epoch's pictures show, the same ones each epoch.
    self.shown = plots.pick_examples(test_split, config.num_reconstructions)
    self.class_names = class_names
    self.judged_loss = f'{evaluator.judged_on}_loss'  # val_loss where validation is held out
    self.best_loss = {name: min((row[name] for row in run.read_metrics()
                                 if row.get(name) is not None), default=np.inf)
                      for name in ('train_loss', self.judged_loss)}

  def write_metrics(self, finished: Finished) -> None:
    finished.row = metrics_row(finished, self.trainer)
    console.log_epoch(finished.row, self.config.num_epochs)
    self.run.append_metrics(finished.row)
    self.events.write(finished.row['step'], {
        name: value for name, value in finished.row.items()
        if name not in ('epoch', 'step') and isinstance(value, (int, float))})

  def draw_pictures(self, finished: Finished) -> None:
    title = run_pictures.title(self.config, f'epoch {finished.epoch}',
                               self.task.headline(finished.evaluation))
    pictures = run_pictures.epoch_pictures(
        self.task, self.evaluator.predictor(finished.state), self.shown, finished.evaluation,
        self.class_names, title)
    self.events.write(finished.row['step'], {}, pictures)

  def check_divergence(self, finished: Finished) -> None:
    check_steps_finite(finished.sums, finished.epoch, self.checkpoints)
    loss = finished.row[self.judged_loss]
    if not np.isfinite(loss):  # diverged BatchNorm statistics, or overflow
      raise Diverged(f'{self.judged_loss} became {loss} at epoch {finished.epoch}',
                     self.checkpoints.last_good_epoch())

  def warn_of_jumps(self, finished: Finished) -> None:
    for name, best in self.best_loss.items():
      loss = finished.row[name]
      if loss > 10 * best:
        logging.warning('%s jumped to %.4g at epoch %d, over 10x the best so far (%.4g): '
                        'training is unstable.', name, loss, finished.epoch, best)
      self.best_loss[name] = min(best, loss)

  def save_checkpoint(self, finished: Finished) -> None:
    epoch = finished.epoch
    if epoch % self.config.checkpoint_every_epochs == 0 or epoch == self.config.num_epochs:
      self.checkpoints.save(finished.state, self.trainer.new_epoch_sums(),
                            checkpoint.Position(epoch, epoch))

  def record_diagnostics(self) -> None:
    """Writes the diagnostics measured this epoch (also of one cut short)."""
    write_diagnostics(self.run, self.events, self.trainer.take_diagnostics(), self.config)


def write_diagnostics(run: run_files.RunFiles, events: tensorboard_events.EventWriter,
                      rows: List[Dict[str, float]], config: ml_collections.ConfigDict) -> None:
  """Appends diagnostics rows to diagnostics.jsonl and TensorBoard (under diagnostics/),
  and redraws diagnostics.png from every row so far."""
  if not rows or not run.writes:
    return
  run.append_diagnostics(rows)
  for row in rows:
    events.write(row['step'], {f'diagnostics/{name}': value for name, value in row.items()
                               if name != 'step'})
  kept = run.read_diagnostics()
  run.write_pictures({'diagnostics': plots.diagnostics_png(
      kept, run_pictures.title(config, f'step {kept[-1]["step"]}', 'diagnostics'))})
