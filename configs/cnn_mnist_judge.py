"""python main.py --config=configs/cnn_mnist_judge.py --workdir=runs/cnn_mnist_judge

The judge of the 10-unit records (docs/records.md): the MNIST classifier whose reading
of a reconstruction is its class fidelity. It is fixed before any autoencoder is
searched and trained by its own config: 5,000 training images held out, its epochs
judged on validation accuracy, the test split read once after the last epoch.

configs/cnn_mnist.py's network made cheaper (two conv blocks of 32 and 64 channels and a
dense layer of 128, the `cnn` model's defaults, with dropout 0.25: about half the
epoch time of three blocks and 512 units; docs/records.md has its training times),
because digits need less than clothes. One-pixel shifts, no flips (a mirrored digit is another digit or
none). 8 epochs of batch 64 from 1.5e-3, times 0.75 per epoch.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('cnn')
  config.model.dropout_rate = 0.25
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.learning_rate = 1.5e-3
  config.optim.decay_rate = 0.75
  config.batch_size = 64
  config.num_epochs = 8
  return config
