"""python main.py --config=configs/attempts/cnn_fashion_dense_features.py --workdir=runs/cnn_fashion_dense_features

The frozen classifier of configs/attempts/fashion10_perceptual_dense.py's perceptual
term: a dense network (the `mlp` model: 784 pixels, a ReLU layer of 256, its default
width, with dropout 0.25, and 10 logits).

The perceptual term runs its classifier three times a step; the conv block of
configs/attempts/cnn_fashion_features.py about doubled the autoencoder's step and took
the device loop from it, where this one's passes are dense layers a tenth the size of the
autoencoder's. Not the judge (configs/cnn_fashion_judge.py): another network from another
seed, on the judge's data, split and augmentation (5,000 images held out, one-pixel
shifts and flips, 10 epochs).
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('mlp')
  config.model.dropout_rate = 0.25
  config.data.name = 'fashion_mnist'
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.augment.flip = True
  config.optim.learning_rate = 1.5e-3
  config.optim.decay_rate = 0.8
  config.batch_size = 64
  config.num_epochs = 10
  config.seed = 1
  return config
