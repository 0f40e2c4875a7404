"""Can the perceptual term's frozen conv classifier cost a Fashion-10 step less on XLA:CPU?

    python -m research.perceptual_forms --form=model   (then folded, shifted, folded_shifted)

Fashion-10 attempt 6 (docs/records.md) runs configs/attempts/cnn_fashion_features.py's
classifier (one 3x3 conv of 1 -> 16 channels, BatchNorm, ReLU, 2x2 max pool, dense 64, 10
logits) three times a step: on the images, on the reconstructions, and back to the
reconstructions. Its profile put the conv's 1-channel input gradient, BatchNorm and the
pooling first. Each form computes the same term, jax-ae's `losses.perceptual_error`
and its gradient with respect to the reconstructions, at batch 128, on a classifier of
that shape with random weights and running statistics (timing does not depend on the
values):
- model: jax-ae's CnnClassifier applied as it is (XLA's conv, BatchNorm's multiply and
  add from the running statistics).
- folded: the same layers as plain functions, the frozen BatchNorm folded into the
  conv's kernel and a bias.
- shifted: the conv as nine shifted copies of the image times a row of the kernel each
  (elementwise work XLA can fuse with what follows), BatchNorm unfolded.
- folded_shifted: both.
Prints one JSON line: milliseconds of the term's value and gradient, jitted (the median
of 7 medians of 50 calls each), and the largest difference of its gradient from the
model's, relative to the model's largest entry.
"""

import json
import sys

from absl import app
from absl import flags
import jax
import jax.numpy as jnp
import numpy as np

from jax_ae.measure import bench
from jax_ae.models import layers
from jax_ae.models import losses
from jax_ae.models import networks
from research import kernel_gradient

FORMS = ('model', 'folded', 'shifted', 'folded_shifted')
_FORM = flags.DEFINE_enum('form', 'model', FORMS, 'How the classifier is computed.')
BATCH = 128
EPSILON = layers.TorchBatchNorm.epsilon


def _classifier_variables():
  """configs/attempts/cnn_fashion_features.py's network, random weights and running
  statistics."""
  model = networks.CnnClassifier(features=(16,), dense_units=64, dropout_rate=0.25)
  variables = model.init(jax.random.key(0), jnp.zeros((1, 784)), train=False)
  keys = jax.random.split(jax.random.key(1), 4)
  stats = {'mean': 0.1 * jax.random.normal(keys[0], (16,)),
           'var': jax.random.uniform(keys[1], (16,), minval=0.5, maxval=2.0)}
  params = dict(variables['params'])
  params['TorchBatchNorm_0'] = {
      'scale': jax.random.uniform(keys[2], (16,), minval=0.5, maxval=1.5),
      'bias': 0.1 * jax.random.normal(keys[3], (16,))}
  return model, {'params': params, 'batch_stats': {'TorchBatchNorm_0': stats}}


def _conv_shifted(x, kernel):
  """A 'SAME' 3x3 conv of one input channel as elementwise work: each of the nine
  shifted images times its kernel row, [b, h, w, 1] * [out], summed -> [b, h, w, out]."""
  return sum(tap * row for tap, row in
             zip(kernel_gradient.shifted_taps(x), kernel.reshape(9, kernel.shape[-1])))


def logits_fn(form: str, model, variables):
  """images [b, 784] -> logits [b, 10], computed the way `form` says."""
  if form == 'model':
    return lambda images: model.apply(variables, images, train=False)
  params, stats = variables['params'], variables['batch_stats']['TorchBatchNorm_0']
  scale = params['TorchBatchNorm_0']['scale'] / jnp.sqrt(stats['var'] + EPSILON)
  shift = params['TorchBatchNorm_0']['bias'] - stats['mean'] * scale
  kernel = params['Conv_0']['kernel']
  conv = _conv_shifted if 'shifted' in form else kernel_gradient.conv
  folded = form.startswith('folded')

  def logits(images):
    x = images.reshape(-1, 28, 28, 1)
    if folded:
      x = conv(x, kernel * scale) + shift
    else:
      x = conv(x, kernel) * scale + shift
    x = layers.max_pool_2x2(jax.nn.relu(x)).reshape(x.shape[0], -1)
    x = jax.nn.relu(x @ params['Dense_0']['kernel'] + params['Dense_0']['bias'])
    return x @ params['Dense_1']['kernel'] + params['Dense_1']['bias']

  return logits


def term_and_gradient(logits):
  """(reconstructions, images) -> (the term, its gradient in the reconstructions)."""
  return jax.jit(jax.value_and_grad(
      lambda reconstructions, images: jnp.mean(
          losses.perceptual_error(logits, reconstructions, images))))


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'no arguments expected; got {argv[1:]}')
  model, variables = _classifier_variables()
  keys = jax.random.split(jax.random.key(2), 2)
  images = jax.random.uniform(keys[0], (BATCH, 784))
  reconstructions = jnp.clip(images + 0.1 * jax.random.normal(keys[1], (BATCH, 784)), 0, 1)
  step = term_and_gradient(logits_fn(_FORM.value, model, variables))
  reference = term_and_gradient(logits_fn('model', model, variables))(reconstructions, images)[1]
  gradient = step(reconstructions, images)[1]
  difference = float(jnp.max(jnp.abs(gradient - reference)) / jnp.max(jnp.abs(reference)))
  times = [bench.median_seconds(lambda: step(reconstructions, images), 50) for _ in range(7)]
  print(json.dumps({'form': _FORM.value, 'ms': round(1e3 * float(np.median(times)), 3),
                    'gradient_difference': float(f'{difference:.1e}'),
                    'device': jax.devices()[0].device_kind}))
  sys.stdout.flush()


if __name__ == '__main__':
  app.run(main)
