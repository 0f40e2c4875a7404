"""python main.py --config=configs/cnn_fashion.py --workdir=runs/cnn_fashion

The notebook's to-do item "experience with CNNs on Fashion MNIST": a classifier of
three conv, BatchNorm, ReLU and max-pool blocks (32, 64 and 128 channels: 28 -> 14 ->
7 -> 3), a dense layer of 512 with dropout, and 10 logits
(jax_ae/models/networks.py::CnnClassifier). Random shifts of up to 1 pixel and left-right
flips (clothes are symmetric) are drawn on the device in each step.

Three blocks rather than two, because two had too little capacity for this much
regularisation; batch 64 for twice the updates per epoch (on XLA:CPU no slower per
image), and a wide dense layer with dropout so the extra epochs still generalise.
The accuracy it reaches is in RESULTS.md.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.data.name = 'fashion_mnist'
  config.model = networks.default_model_config('cnn')
  config.model.features = (32, 64, 128)
  config.model.dense_units = 512
  config.model.dropout_rate = 0.3
  config.augment.max_shift = 1
  config.augment.flip = True
  config.batch_size = 64
  config.num_epochs = 30
  config.optim.learning_rate = 1.5e-3
  config.optim.decay_rate = 0.9
  config.optim.transition_epochs = 1.0
  return config
