"""python main.py --config=configs/cnn_fashion_judge.py --workdir=runs/cnn_fashion_judge

The judge of the Fashion-MNIST 10-unit record (docs/records.md): the classifier whose
reading of a reconstruction is its class fidelity. Fixed before any autoencoder is
searched and trained by its own config: 5,000 training images held out, its epochs
judged on validation accuracy, the test split read once after the last epoch.

configs/cnn_mnist_judge.py's network (two conv blocks of 32 and 64 channels, a dense
layer of 128 with dropout 0.25; docs/records.md has its training times) with Fashion-MNIST's
augmentation of configs/cnn_fashion.py (one-pixel shifts and left-right flips: clothes
are symmetric). A judge needs to read garments well, not to be a record: 10 epochs of
batch 64 from 1.5e-3, times 0.8 per epoch.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('cnn')
  config.model.dropout_rate = 0.25
  config.data.name = 'fashion_mnist'
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.augment.flip = True
  config.optim.learning_rate = 1.5e-3
  config.optim.decay_rate = 0.8
  config.batch_size = 64
  config.num_epochs = 10
  return config
