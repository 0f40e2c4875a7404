"""python main.py --config=configs/attempts/cnn_fashion_narrow_features.py --workdir=runs/cnn_fashion_narrow_features

The frozen classifier of configs/attempts/fashion10_perceptual_narrow.py's perceptual
term: configs/attempts/cnn_fashion_features.py's network with its conv block narrowed
from 16 channels to 8.

The perceptual term runs its classifier three times a step, and with 16 channels the step
spent most of the classifier's time on that block's full-resolution maps (its input
gradient, BatchNorm, pooling), which halve with the channels; a dense classifier
(configs/attempts/cnn_fashion_dense_features.py) bought no fidelity, so the conv stays.
Not the judge (configs/cnn_fashion_judge.py): the judge's data, split and augmentation,
seed 1.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('cnn')
  config.model.features = (8,)
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
