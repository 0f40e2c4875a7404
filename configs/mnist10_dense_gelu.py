"""python main.py --config=configs/mnist10_dense_gelu.py --workdir=runs/mnist10_dense_gelu

The MNIST-10 record (docs/records.md; targets test MSE 0.0080 and class fidelity 0.98):
MNIST through a code of exactly 10 float32 numbers, by Hinton & Salakhutdinov's dense
784-1000-500-250-10 autoencoder and its mirror image with GELU after every hidden layer.

One-pixel shifts, AdamW on a cosine schedule (one epoch of warm-up to 1e-3, then half a
cosine to 0), a moving average of the weights, 360 epochs of batch 128, every choice made
on a 5,000-image validation split. GELU (`model.hidden_activation`) is the activation a
20-epoch screen chose on validation, and the one difference from
configs/attempts/mnist10_dense_narrow.py's ReLU. The weight decay is 0.3 x 200 / 360, so
that decay times the summed learning rate stays that of
configs/attempts/mnist10_dense_decay.py's 200 epochs. Class fidelity is read by the judge
of configs/cnn_mnist_judge.py, trained first into runs/cnn_mnist_judge. Its figures and
the screen's are in docs/records.md.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.code_dim = 10
  config.model.hidden_activation = 'gelu'
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.weight_decay = 0.167
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 360
  config.evaluate.classifier_workdir = 'runs/cnn_mnist_judge'
  return config
