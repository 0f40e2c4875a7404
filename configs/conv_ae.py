"""python main.py --config=configs/conv_ae.py --workdir=runs/conv_ae

The notebook's to-do item "a CNN autoencoder (upscaling, max pool)", with its 10-unit
bottleneck. Fashion-MNIST: add --config.data.name=fashion_mnist.

28x28x1 -conv 16, pool-> 14x14x16 -conv 32, pool-> 7x7x32 -dense-> 256 -> 10, and the
mirror image back with nearest-neighbour upsampling; BatchNorm in every block
(jax_ae/models/networks.py::ConvAutoencoder). Batch 64 and Adam from 2e-3 decayed by 0.85 per
epoch: BatchNorm tolerates the higher rate, and the decay lets the last epochs refine.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('conv_ae')
  config.batch_size = 64
  config.num_epochs = 12
  config.optim.learning_rate = 2e-3
  config.optim.decay_rate = 0.85
  config.optim.transition_epochs = 1.0
  return config
