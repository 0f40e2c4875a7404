"""python main.py --config=configs/attempts/mnist10_dense_narrow.py --workdir=runs/mnist10_dense_narrow

The dense MNIST-10 autoencoder at Hinton & Salakhutdinov's widths, 784-1000-500-250-10
and its mirror image, for 360 epochs, for the MNIST-10 record (docs/records.md; targets
test MSE 0.0080 and class fidelity 0.98).

Its step costs about a third of the 2000-1000-500 network's
(configs/attempts/mnist10_dense_decay.py), so the hour holds 360 epochs where it held 130
of the wider one on a slow host, and configs/attempts/mnist10_dense_bce.py showed 130 too
few. The weight decay is 0.3 x 200 / 360, so that decay times the summed learning rate
stays that of mnist10_dense_decay. Class fidelity is read by configs/cnn_mnist_judge.py's
classifier (runs/cnn_mnist_judge).
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.code_dim = 10
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
