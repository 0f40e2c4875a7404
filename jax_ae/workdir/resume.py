"""Whether a workdir's run may go on, and from where: the resume policy over checkpoint.py.

A run resumes from the newest readable checkpoint when the workdir's config.json
agrees with its config on every field that makes it the same run; `restart` deletes
the earlier run instead. The shuffle of an epoch is a function of the seed and the
epoch only (steps.shuffle_key), so a resumed run sees the same batches in the same order.
"""

import contextlib
import json
import os
from typing import Any, Dict, Optional, Tuple

from absl import logging
import ml_collections

from jax_ae.config import config_fields
from jax_ae.errors import ConfigError
from jax_ae.workdir import checkpoint
from jax_ae.workdir import console
from jax_ae.workdir import run_files

def _flatten(tree: Dict[str, Any], prefix: str = '') -> Dict[str, Any]:
  flat = {}
  for name, value in tree.items():
    if isinstance(value, dict):
      flat.update(_flatten(value, f'{prefix}{name}.'))
    else:
      flat[f'{prefix}{name}'] = value
  return flat


def check_same_run(config: ml_collections.ConfigDict, workdir: str) -> None:
  """Refuses a workdir whose run was configured differently, listing the fields."""
  config_path = os.path.join(workdir, run_files.CONFIG_FILE)
  if not os.path.exists(config_path):
    return
  with open(config_path) as f:
    previous = _flatten(json.load(f))
  current = _flatten(json.loads(config.to_json()))
  # A field the earlier run's config.json lacks was added to jax-ae since; that run
  # used what is now its default, and a run that changed it would differ elsewhere too
  # (model.name, task), so only fields both configs have are compared. Which fields may
  # differ is declared with each field (config_fields.py).
  resumable = {field.name for field in config_fields.declared(config.model.name)
               if field.may_change_on_resume(previous, config)}
  differing = [f'--config.{name} ({previous.get(name)!r} -> {current.get(name)!r})'
               for name in sorted(set(previous) & set(current))
               if name not in resumable and previous.get(name) != current.get(name)]
  if differing:
    raise ConfigError(f'workdir {workdir!r} holds a run with another config: '
                      f'{", ".join(differing)}; use a new --workdir, or '
                      f'--config.restart=True to replace that run.')


def prepare(config: ml_collections.ConfigDict, run: run_files.RunFiles,
            checkpoints: checkpoint.Checkpoints) -> None:
  """Clears the workdir's earlier run for `config.restart`, else refuses another config."""
  if config.restart:
    checkpoints.delete_all()
    run.delete_previous_run()
  else:
    with _refusal_leaves_the_log():
      check_same_run(config, run.workdir)


@contextlib.contextmanager
def _refusal_leaves_the_log():
  """A ConfigError inside refuses the run: the workdir's log.txt is left as it was."""
  try:
    yield
  except ConfigError:
    console.drop_log()
    raise


def resume(checkpoints: checkpoint.Checkpoints, state, epoch_sums,
           num_epochs: int) -> Tuple[Any, int, Optional[Any]]:
  """Where a run of `num_epochs` goes on: (state, first epoch to run, its sums so far).

  From the newest checkpoint when there is one: a mid-epoch checkpoint resumes its
  epoch at the step it saved (sums included), an epoch-end one starts the next
  epoch. Without one: the given fresh `state`, epoch 1, no sums. The run's log joins
  the workdir's log.txt from here (console.keep_log).
  """
  with _refusal_leaves_the_log():
    where = _where_to_go_on(checkpoints, state, epoch_sums, num_epochs)
  console.keep_log()
  return where


def _where_to_go_on(checkpoints: checkpoint.Checkpoints, state, epoch_sums,
                    num_epochs: int) -> Tuple[Any, int, Optional[Any]]:
  restored = checkpoints.restore_latest(state, epoch_sums)
  if restored is None:
    return state, 1, None
  state, saved_sums, position = restored
  logging.info('Resuming from the checkpoint at step %d (epoch %d, %d complete).',
               int(state.step), position.epoch, position.completed_epochs)
  if position.completed_epochs > num_epochs:
    raise ConfigError(f'--config.num_epochs {num_epochs} is below the '
                      f'{position.completed_epochs} epochs this workdir already trained; raise '
                      f'it or use a new --workdir.')
  if position.mid_epoch:
    return state, position.epoch, saved_sums
  return state, position.completed_epochs + 1, None
