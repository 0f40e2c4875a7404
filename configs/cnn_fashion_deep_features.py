"""python main.py --config=configs/cnn_fashion_deep_features.py --workdir=runs/cnn_fashion_deep_features

The frozen classifier of the Fashion-MNIST 10-unit record's perceptual term
(configs/fashion10_perceptual_deep.py, docs/records.md): the judge's shape trained with
another seed, so that it is another network and not the judge.

It is configs/cnn_fashion_judge.py (two conv blocks of 32 and 64 channels, a dense layer
of 128 with dropout 0.25) with seed 1; the data, split, augmentation and recipe are the
judge's, which is why docs/records.md also reads the record's reconstructions with
classifiers of other shapes. A narrower classifier
(configs/attempts/cnn_fashion_narrow_features.py) cost the decoder less squared error at
the same weight and bought less fidelity; this one is deeper and wider, a classifier that
pays for more detail. Its three passes a step cost more than those of
configs/attempts/cnn_fashion_features.py's one block of 16 channels.
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
  config.seed = 1
  return config
