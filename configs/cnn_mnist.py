"""python main.py --config=configs/cnn_mnist.py --workdir=runs/cnn_mnist

configs/cnn_fashion.py's classifier on MNIST digits, without flips (a mirrored digit
can be another digit or none), 15 epochs. Its saved model (model.msgpack in the workdir)
is the judge that tells whether an autoencoder's reconstructions still read as the right
digit.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('cnn')
  config.model.features = (32, 64, 128)
  config.model.dense_units = 512
  config.model.dropout_rate = 0.3
  config.augment.max_shift = 1
  config.optim.learning_rate = 1.5e-3
  config.optim.decay_rate = 0.9
  config.batch_size = 64
  config.num_epochs = 15
  return config
