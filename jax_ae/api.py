"""jax-ae from Python (a notebook): a config in, a trained run out, images through it.

    from configs import v1
    from jax_ae import api
    api.configure_process()                # main.py's process settings, before training
    config = v1.get_config()
    config.num_epochs = 3
    run = api.train(config, 'runs/v1')     # the same run, files and console as main.py's
    run.metrics[-1]['test_loss']           # metrics.jsonl's rows
    run.reconstruct(images)                # [n, 784] -> [n, 784], evaluation mode
    api.load('runs/v1')                    # a finished run back, from its workdir

`train` is `train.train_and_evaluate` with the console lines main.py shows; `load`
reads what any run left (config.json, model.msgpack). Nothing here trains or
measures differently from the command line.
"""

import contextlib
import functools
import logging
from typing import Any, Dict, List, Optional

from absl import logging as absl_logging
import jax
import ml_collections
import numpy as np

from jax_ae.config import config_checks
from jax_ae.datasets import data
from jax_ae.errors import UserError
from jax_ae.measure import evaluate
from jax_ae.runtime import settings
from jax_ae.training import train as train_module
from jax_ae.workdir import console
from jax_ae.workdir import run_files
from jax_ae.workdir import trained


class Run:
  """A trained autoencoder and what its run recorded.

  model, variables: the Linen module and its {'params', 'batch_stats'}.
  weights: 'raw', or 'ema' where `variables` hold the moving average of the parameters.
  metrics: one dict per epoch, metrics.jsonl's rows (train_loss, test_loss, ...).
  """

  def __init__(self, workdir: str, config: ml_collections.ConfigDict, model: Any,
               variables: Dict[str, Any], metrics: List[Dict[str, Any]],
               weights: str = 'raw'):
    self.workdir = workdir
    self.config = config
    self.model = model
    self.variables = variables
    self.metrics = metrics
    self.weights = weights
    # Compiled once per run, for every call after.
    self._encode = jax.jit(lambda images: model.apply(variables, images, method=model.encode))
    self._decode = jax.jit(lambda codes: model.apply(variables, codes, method=model.decode))

  @property
  def diagnostics(self) -> List[Dict[str, float]]:
    """diagnostics.jsonl's rows (config.diagnostics.every_steps > 0), one per measured step."""
    return run_files.RunFiles(self.workdir, writes=False).read_diagnostics()

  def encode(self, images: np.ndarray) -> np.ndarray:
    """[n, 784] float32 in [0, 1] -> [n, code_dim] codes, in evaluation mode."""
    return evaluate.batched(self._encode, np.asarray(images, np.float32))

  def decode(self, codes: np.ndarray) -> np.ndarray:
    """[n, code_dim] -> [n, 784] images, in evaluation mode."""
    return evaluate.batched(self._decode, np.asarray(codes, np.float32))

  def reconstruct(self, images: np.ndarray) -> np.ndarray:
    """[n, 784] -> [n, 784]: decode(encode(images)), what the model's __call__ computes."""
    return self.decode(self.encode(images))

  def sweep_code(self, codes: np.ndarray, spread: float = 2.0, steps: int = 7) -> np.ndarray:
    """Decoded images that move one code unit at a time: [code_dim, steps, 784].

    Starts from the mean of `codes` ([n, code_dim], e.g. the test split's) and sets
    unit u to its mean plus -spread ... +spread times its standard deviation over
    `codes`, the other units held at their means: row u shows what unit u draws.
    """
    codes = np.asarray(codes, np.float32)
    code_dim = codes.shape[1]
    mean, std = codes.mean(axis=0), codes.std(axis=0)
    swept = np.tile(mean, (code_dim, steps, 1))
    offsets = np.linspace(-spread, spread, steps, dtype=np.float32)
    for unit in range(code_dim):
      swept[unit, :, unit] = mean[unit] + offsets * std[unit]
    return self.decode(swept.reshape(-1, code_dim)).reshape(code_dim, steps, -1)


def load_data(data_config: ml_collections.ConfigDict) -> Dict[str, data.Split]:
  """data.load_dataset(data_config), reading each dataset from tfds once per process:
  a notebook's runs on one dataset (with their own validation split or training
  subset) share the read."""
  whole = _read_once(data_config.name, data_config.manual_dir, data_config.tfds_data_dir)
  return data.select_examples(whole, data_config)


@functools.lru_cache(maxsize=2)
def _read_once(name: str, manual_dir: str, tfds_data_dir: str) -> Dict[str, data.Split]:
  return data.load_dataset(ml_collections.ConfigDict(dict(
      name=name, manual_dir=manual_dir, tfds_data_dir=tfds_data_dir, validation_size=0,
      train_subset=0)))


def configure_process(
    verbosity: int = 0,
    compilation_cache_dir: Optional[str] = settings.DEFAULT_COMPILATION_CACHE_DIR,
) -> Dict[str, bool]:
  """main.py's process settings, for a notebook: call it once, right after the imports.

  glibc keeps freed memory for the next step, XLA:CPU computes convolutions in its own
  kernels, compiled steps are kept in `compilation_cache_dir` ('' = not kept) for the
  next run, and (below `verbosity` 1) TensorFlow's notices and tfds' progress bars stay
  out of the cells (jax_ae/runtime/settings.py says why each). Importing jax_ae applies
  none of them: a notebook that skips this call trains the same numbers, with jaxlib's
  defaults. Returns {setting: whether it took effect}.
  """
  return settings.configure_process(verbosity, compilation_cache_dir)


def train(config: ml_collections.ConfigDict, workdir: str) -> Run:
  """Trains `config` into `workdir` as `python main.py` would; returns the finished Run.

  Resumes a run the workdir holds (or, with config.restart, starts it over). The
  console shows main.py's lines (one per epoch); workdir/log.txt keeps them all.
  """
  config_checks.validate(config)  # before the data, as main.py: a bad value fails at once
  with _console(workdir):
    train_module.train_and_evaluate(config, workdir, dataset=load_data(config.data))
  return load(workdir)


def load(workdir: str, weights: Optional[str] = None) -> Run:
  """The run a workdir holds: its config, its saved model and its metrics.

  weights: 'raw' or 'ema' (a run with `optim.ema_decay` saved both); None takes the
  ones its validation split chose, as --mode=evaluate and the report do.
  """
  config = run_files.load_run_config(workdir)
  metrics = run_files.RunFiles(workdir, writes=False).read_metrics()
  if weights is None:
    weights, _ = evaluate.chosen_weights(config, metrics)
  if weights not in trained.MODEL_FILES:
    raise UserError(f"weights must be one of {sorted(trained.MODEL_FILES)} or None, "
                    f"got {weights!r}.")
  if weights == 'ema' and config.optim.ema_decay <= 0:
    raise UserError(f'{workdir!r} kept no moving average (optim.ema_decay 0): '
                    f"load it with weights='raw'.")
  model, variables = trained.load_trained_model(config, workdir,
                                                 trained.MODEL_FILES[weights])
  return Run(workdir, config, model, variables, metrics, weights)


@contextlib.contextmanager
def _console(workdir: str):
  """main.py's console and log.txt for one run, then the logging handlers and the absl
  logger's level as they were (its own level: set_verbosity would pin one where the
  level was unset and inherited, hiding INFO from a caller that lowers the root's)."""
  root, absl_logger = logging.getLogger(), absl_logging.get_absl_logger()
  handlers, level = list(root.handlers), absl_logger.level
  console.setup(workdir, verbosity=0)
  absl_logging.set_verbosity(absl_logging.INFO)  # main.py's default, before absl parses flags
  try:
    yield
  finally:
    for handler in root.handlers:
      if handler not in handlers:
        handler.close()
    root.handlers[:] = handlers
    absl_logger.setLevel(level)
