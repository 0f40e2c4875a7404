"""python main.py --config=configs/attempts/cnn_fashion_features.py --workdir=runs/cnn_fashion_features

A small frozen classifier for the perceptual term of Fashion-MNIST 10-unit record
attempts (configs/attempts/fashion10_perceptual.py and the runs built on it,
`optim.perceptual_workdir`): training compares its logits on a reconstruction with those
on the image.

It must not be the judge (configs/cnn_fashion_judge.py), so it is another network from
another seed: one conv block of 16 channels and a dense layer of 64, small because every
step of the autoencoder runs it three times (the image forward, the reconstruction
forward and backward). The judge's data, split and augmentation otherwise: 5,000 training
images held out, one-pixel shifts and left-right flips, 10 epochs of batch 64.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('cnn')
  config.model.features = (16,)
  config.model.dense_units = 64
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
