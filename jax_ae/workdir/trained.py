"""Models a finished run left in its workdir, loaded back: to evaluate, or frozen inside training.

Training (the perceptual term's classifier) and `--mode=evaluate` (the judge of class
fidelity, the autoencoder measured) both load a trained model, so it lives below both:
the model its config builds, with the variables its run saved, refused where they do
not match.
"""

import os
from typing import Any, Dict, List, Tuple

from absl import logging
import jax
import ml_collections
import numpy as np

from jax_ae.errors import UserError
from jax_ae.models import networks
from jax_ae.models import tasks
from jax_ae.workdir import run_files

# Where `configs/cnn_<...>.py` trains each dataset's classifier, as docs/cnns.md's commands do.
CLASSIFIER_WORKDIRS = {'mnist': 'runs/cnn_mnist', 'fashion_mnist': 'runs/cnn_fashion'}
CLASSIFIER_CONFIGS = {'mnist': 'configs/cnn_mnist.py', 'fashion_mnist': 'configs/cnn_fashion.py'}


def load_trained_model(config: ml_collections.ConfigDict, workdir: str,
                       model_file: str = run_files.MODEL_FILE) -> Tuple[Any, Dict]:
  """The configured model and the variables its run saved in `workdir` (as `model_file`)."""
  model = networks.create_model(config.model)
  # The values are overwritten by the saved ones: any key will do.
  template = jax.device_get(networks.init_variables(model, jax.random.key(0)))
  mismatch = UserError(f'the model saved in {workdir!r} is not the one this config builds '
                       f'({config.model.name}); pass the config it was trained with.')
  try:
    variables = run_files.load_model_variables(workdir, template, model_file)
  except (ValueError, KeyError, AttributeError, TypeError) as error:  # another model's tree
    raise mismatch from error
  # flax.serialization restores the saved shapes whatever the template's: compare them.
  if (jax.tree.structure(variables) != jax.tree.structure(template) or
      [np.shape(leaf) for leaf in jax.tree.leaves(variables)] !=
      [np.shape(leaf) for leaf in jax.tree.leaves(template)]):
    raise mismatch
  return model, variables


MODEL_FILES = {'raw': run_files.MODEL_FILE, 'ema': run_files.EMA_MODEL_FILE}


def load_classifier(classifier_workdir: str, data_name: str):
  """`predict(images) -> logits` of the CNN classifier saved in `classifier_workdir`.

  None, after one warning line with the command that trains it, where there is none:
  the other figures do not need it.
  """
  if not os.path.exists(os.path.join(classifier_workdir, run_files.MODEL_FILE)):
    logging.warning(
        'no trained %s classifier in %r, so class_fidelity is null; train it with `python '
        'main.py --config=%s --workdir=%s` (or set --config.evaluate.classifier_workdir), '
        'then evaluate again.', data_name, classifier_workdir, CLASSIFIER_CONFIGS[data_name],
        classifier_workdir)
    return None
  classifier_config = run_files.load_run_config(classifier_workdir)
  if (tasks.get(classifier_config.task) is not tasks.CLASSIFY
      or classifier_config.data.name != data_name):
    raise UserError(f'{classifier_workdir!r} holds no {data_name} classifier (task '
                    f'{classifier_config.task}, data {classifier_config.data.name}).')
  model, variables = load_trained_model(classifier_config, classifier_workdir)
  return jax.jit(lambda images: model.apply(variables, images, train=False))


def judge_workdirs(config: ml_collections.ConfigDict) -> List[str]:
  """The workdirs of the classifiers that judge class fidelity: evaluate.classifier_workdir's
  comma-separated list (a panel, whose mean is the fidelity), or the dataset's default."""
  named = [workdir.strip() for workdir in config.evaluate.classifier_workdir.split(',')
           if workdir.strip()]
  return named or [CLASSIFIER_WORKDIRS[config.data.name]]


def perceptual_classifier(config: ml_collections.ConfigDict):
  """`logits(images)` of optim.perceptual_workdir's classifier, frozen, for the perceptual
  term; None when optim.perceptual_weight is 0.

  Refuses a missing classifier, one of another dataset, and any judge of class fidelity
  (judge_workdirs): a record trained on its judge's logits would measure nothing.
  """
  if not config.optim.perceptual_weight:
    return None
  workdir = config.optim.perceptual_workdir
  if os.path.realpath(workdir) in {os.path.realpath(judge) for judge in judge_workdirs(config)}:
    raise UserError(f'optim.perceptual_workdir {workdir!r} is a classifier that judges class '
                    f'fidelity; train the perceptual term on another one.')
  if not os.path.exists(os.path.join(workdir, run_files.MODEL_FILE)):
    raise UserError(f'optim.perceptual_workdir {workdir!r} holds no trained classifier; train '
                    f'one of {config.data.name} there first (e.g. '
                    f'configs/attempts/cnn_fashion_features.py).')
  classifier_model = run_files.load_run_config(workdir).model.name
  if classifier_model != config.optim.perceptual_model:
    raise UserError(f'optim.perceptual_workdir {workdir!r} holds a {classifier_model} classifier, '
                    f'but optim.perceptual_model is {config.optim.perceptual_model!r}; set '
                    f'--config.optim.perceptual_model={classifier_model}.')
  return load_classifier(workdir, config.data.name)
