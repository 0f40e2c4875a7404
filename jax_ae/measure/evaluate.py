"""`--mode=evaluate`: how faithfully a trained autoencoder replicates its test split.

The notebook's goal, "replicate MNIST with a high accuracy using a bottleneck of 10
nodes", never said how to measure it. This module answers with numbers, all on the
test split, written to `workdir/eval.json` and printed:

test_mse, sse_per_image, psnr   the reconstruction error, per pixel, per image (the
                                unit of Hinton & Salakhutdinov 2006) and in dB
pca_mse, mean_image_mse         what PCA with as many components as the code has units,
                                and always predicting the mean training image, score;
                                fitted by the project on the training split and cached
ratio_to_pca, ratio_to_mean     the model's test_mse over each
class_fidelity                  the accuracy of the saved classifier of the dataset (the
                                judge) on the reconstructions: a replica that still reads
                                as the right digit; beside it, classifier_accuracy, its
                                accuracy on the originals (null, with the command that
                                trains it, without one). With a panel of judges
                                (evaluate.classifier_workdir=A,B,C) both are the judges'
                                means, and `judges` holds each one's
probe_accuracy                  a softmax regression trained on the training split's
                                codes, tested on the test split's codes
per_class                       test_mse and class_fidelity of each class
epochs, train_seconds, val_mse  from the run's metrics.jsonl: val_mse is the last epoch's
                                loss on the validation split (`data.validation_size`;
                                null without one), the figure a config is chosen by
weights                         'raw', or 'ema': a run with `optim.ema_decay` saved the
                                moving average of its parameters too, and the one
                                whose last validation loss is lower is measured
"""

import json
import os
from typing import Any, Dict, Tuple

from absl import logging
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax

from jax_ae.config import config_checks
from jax_ae.datasets import data
from jax_ae.errors import UserError
from jax_ae.figures import pca
from jax_ae.figures import run_pictures
from jax_ae.models import networks
from jax_ae.models import tasks
from jax_ae.workdir import console
from jax_ae.workdir import run_files
from jax_ae.workdir import trained

EVAL_FILE = 'eval.json'
PROBE_STEPS = 500
PROBE_LEARNING_RATE = 0.05


def chosen_weights(config: ml_collections.ConfigDict, rows) -> Tuple[str, str]:
  """('raw' or 'ema', why): which saved parameters to measure, from metrics.jsonl's `rows`.

  The last epoch's validation figures choose, by the task's rule (tasks.Task.chosen_weights,
  the one training's last test used). Without a validation split, the raw ones: choosing
  on the test split would tune on the figure reported.
  """
  if config.optim.ema_decay <= 0:
    return 'raw', 'no moving average (optim.ema_decay 0)'
  return tasks.get(config.task).chosen_weights(rows[-1] if rows else {})


def batched(function, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
  """`function` over `images` in batches: the conv models' activations stay small.

  Not held_out.Evaluator.predict_test_split: that maps a TrainState's __call__ over the
  test split already on the devices; here the functions are a saved model's encode
  and decode and a classifier, over codes and reconstructions made on the host.
  """
  return np.concatenate([np.asarray(function(images[start:start + batch_size]))
                         for start in range(0, images.shape[0], batch_size)])


def pca_baselines(train_images: np.ndarray, test_images: np.ndarray, num_components: int,
                  cache_path: str) -> Dict[str, float]:
  """{'pca_mse', 'mean_image_mse'} on the test split, read from `cache_path` if computed.

  Keyed by the training images' count too: a run holding out a validation split fits
  its baselines on the images it trained on, as the autoencoder saw them.
  """
  key = f'{num_components} components, {train_images.shape[0]} training images'
  cached = {}
  if os.path.exists(cache_path):
    with open(cache_path) as f:
      cached = json.load(f)
    if key in cached:
      return cached[key]
  fitted = pca.fit(jnp.asarray(train_images), num_components)
  mean_image = train_images.mean(axis=0)
  baselines = {
      'pca_mse': float(pca.mean_squared_error(fitted, jnp.asarray(test_images))),
      'mean_image_mse': float(np.mean(np.square(test_images - mean_image))),
  }
  cached[key] = baselines
  os.makedirs(os.path.dirname(cache_path) or '.', exist_ok=True)
  run_files.write_atomically(cache_path, json.dumps(cached, indent=2).encode())
  return baselines


def probe_accuracy(train_codes: np.ndarray, train_labels: np.ndarray, test_codes: np.ndarray,
                   test_labels: np.ndarray) -> float:
  """Test accuracy of a softmax regression fitted (Adam, full batch) on the training codes.

  Codes are standardised with the training codes' statistics first, so the same
  learning rate suits every model's code scale.
  """
  mean, std = train_codes.mean(axis=0), train_codes.std(axis=0) + 1e-6
  train_x = jnp.asarray((train_codes - mean) / std)
  test_x = jnp.asarray((test_codes - mean) / std)
  num_classes = int(max(train_labels.max(), test_labels.max())) + 1
  params = {'weights': jnp.zeros((train_x.shape[1], num_classes)), 'bias': jnp.zeros(num_classes)}
  optimizer = optax.adam(PROBE_LEARNING_RATE)

  def loss(params):
    logits = train_x @ params['weights'] + params['bias']
    return optax.softmax_cross_entropy_with_integer_labels(logits, train_labels).mean()

  def step(carry, _):
    params, opt_state = carry
    updates, opt_state = optimizer.update(jax.grad(loss)(params), opt_state)
    return (optax.apply_updates(params, updates), opt_state), None

  (params, _), _ = jax.lax.scan(jax.jit(step), (params, optimizer.init(params)), None,
                                length=PROBE_STEPS)
  predictions = jnp.argmax(test_x @ params['weights'] + params['bias'], axis=-1)
  return float(jnp.mean(predictions == jnp.asarray(test_labels)))


def per_class_table(labels: np.ndarray, errors: np.ndarray, faithful: np.ndarray,
                    class_names) -> list:
  """test_mse and class_fidelity of each class (None for a class with no example).

  `faithful` is NaN everywhere when there is no classifier: class_fidelity is then None.
  """
  rows = []
  for label, name in enumerate(class_names):
    chosen = labels == label
    count = int(np.sum(chosen))
    fidelity = float(faithful[chosen].mean()) if count else None
    rows.append({'class': str(name), 'count': count,
                 'test_mse': float(errors[chosen].mean()) if count else None,
                 'class_fidelity': None if fidelity is None or np.isnan(fidelity) else fidelity})
  return rows


def evaluate_run(config: ml_collections.ConfigDict, workdir: str) -> Dict[str, Any]:
  """Measures the autoencoder saved in `workdir`; writes eval.json, latent.png, per_class.png."""
  from jax_ae.figures import plots  # pylint: disable=g-import-not-at-top
  config_checks.validate(config)
  if not tasks.get(config.task).reproduces_input:
    raise UserError(f'--mode=evaluate measures autoencoders; {config.model.name} is a '
                    f'classifier, whose test accuracy is in {workdir}/metrics.jsonl.')
  weights, why = chosen_weights(config, run_files.RunFiles(workdir, writes=False).read_metrics())
  logging.info('Measuring the %s parameters (%s).', weights, why)
  model, variables = trained.load_trained_model(config, workdir, trained.MODEL_FILES[weights])
  judges = trained.judge_workdirs(config)
  # Before the data: a wrong classifier fails fast. A panel needs every judge.
  classifiers = [trained.load_classifier(judge, config.data.name) for judge in judges]
  if any(classifier is None for classifier in classifiers):
    classifiers = []
  dataset = data.load_dataset(config.data)
  train_split, test_split = dataset['train'], dataset['test']
  encode = jax.jit(lambda images: model.apply(variables, images, method=model.encode))
  decode = jax.jit(lambda codes: model.apply(variables, codes, method=model.decode))
  # Every model's __call__ is decode(encode(x)) in evaluation mode: encode once.
  test_codes = batched(encode, test_split['image'])
  reconstructions = batched(decode, test_codes)
  errors = np.asarray(tasks.reconstruction_loss(reconstructions, test_split['image']))
  test_mse = float(errors.mean())

  cache_dir = os.path.expanduser(config.evaluate.cache_dir or '~/.cache/jax_ae')
  baselines = pca_baselines(train_split['image'], test_split['image'], config.model.code_dim,
                            os.path.join(cache_dir, f'baselines_{config.data.name}.json'))
  panel = []  # per judge: its class fidelity and its own test accuracy
  faithful = np.full(test_split['label'].shape, np.nan)
  if classifiers:
    # Per test image, the share of the judges that read its reconstruction as its class.
    faithful = np.zeros(test_split['label'].shape)
    for judge, classifier in zip(judges, classifiers):
      read_as_true = batched(classifier, reconstructions).argmax(axis=-1) == test_split['label']
      faithful += read_as_true / len(classifiers)
      panel.append({'judge': judge, 'class_fidelity': float(read_as_true.mean()),
                    'test_accuracy': float(np.mean(batched(classifier, test_split['image'])
                                                   .argmax(axis=-1) == test_split['label']))})
  class_names = data.CLASS_NAMES[config.data.name]
  results = {
      'version': config.model.name,
      'dataset': config.data.name,
      'code_dim': config.model.code_dim,
      'weights': weights,
      'test_mse': test_mse,
      'sse_per_image': test_mse * networks.IMAGE_PIXELS,
      'psnr': float(10 * np.log10(1.0 / test_mse)),
      **baselines,
      'ratio_to_pca': test_mse / baselines['pca_mse'],
      'ratio_to_mean': test_mse / baselines['mean_image_mse'],
      'class_fidelity': float(faithful.mean()) if panel else None,
      'classifier_accuracy': float(np.mean([judge['test_accuracy'] for judge in panel]))
                             if panel else None,
      'judges': panel,
      'probe_accuracy': probe_accuracy(batched(encode, train_split['image']),
                                       train_split['label'], test_codes, test_split['label']),
      'per_class': per_class_table(test_split['label'], errors, faithful, class_names),
  }
  results.update(_training_summary(workdir, weights))
  run_files.write_atomically(os.path.join(workdir, EVAL_FILE),
                             json.dumps(results, indent=2).encode())
  fidelity = ('no classifier' if results['class_fidelity'] is None else
              f'class fidelity {results["class_fidelity"]:.4f}')
  title = run_pictures.title(config, f'epoch {results["epochs"]}',
                              f'test MSE {test_mse:.3g}, {fidelity}')
  for name, picture in (
      ('latent', plots.latent_png(test_codes, test_split['label'], class_names, title)),
      ('per_class', plots.per_class_png(results['per_class'], title))):
    run_files.write_atomically(os.path.join(workdir, f'{name}.png'), picture.png)
  print(format_results(results))
  logging.info('Wrote %s', os.path.join(workdir, EVAL_FILE))
  return results


def _training_summary(workdir: str, weights: str) -> Dict[str, Any]:
  """Epochs trained, training seconds and the last validation MSE of the measured
  `weights`, from metrics.jsonl."""
  rows = run_files.RunFiles(workdir, writes=False).read_metrics()
  val_name = 'val_ema_loss' if weights == 'ema' else 'val_loss'
  return {'epochs': len(rows), 'train_seconds': float(sum(row['epoch_seconds'] for row in rows)),
          'val_mse': rows[-1].get(val_name) if rows else None}


def format_results(results: Dict[str, Any]) -> str:
  """The headline figures as a two-column Markdown table."""
  def shown(value):
    return 'null' if value is None else f'{value:.4g}' if isinstance(value, float) else value

  table = console.markdown_table(('measure', 'value'), [
      (name, shown(value)) for name, value in results.items()
      if name not in ('per_class', 'judges')])
  if len(results.get('judges') or ()) > 1:  # a panel: each judge's reading
    table += '\n\n' + console.markdown_table(
        ('judge', 'class_fidelity', 'test_accuracy'),
        [(judge['judge'], shown(judge['class_fidelity']), shown(judge['test_accuracy']))
         for judge in results['judges']])
  return table
