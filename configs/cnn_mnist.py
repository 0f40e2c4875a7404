"""python main.py --config=configs/cnn_mnist.py --workdir=runs/cnn_mnist

configs/cnn_fashion.py's classifier on MNIST digits, without flips (a mirrored digit
can be another digit or none). Its saved model (model.msgpack in the workdir) is the
judge that tells whether an autoencoder's reconstructions still read as the right digit.
"""

from configs import cnn_fashion


def get_config():
  config = cnn_fashion.get_config()
  config.data.name = 'mnist'
  config.augment.flip = False
  config.num_epochs = 15
  return config
