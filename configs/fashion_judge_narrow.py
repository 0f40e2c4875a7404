"""python main.py --config=configs/fashion_judge_narrow.py --workdir=runs/fashion_judge_narrow

A judge of the Fashion-MNIST 10-unit record's panel (docs/records.md): a narrow conv
classifier, two conv blocks of 16 and 32 channels and a dense layer of 64 with dropout
0.25, half the widths of configs/cnn_fashion_judge.py, so that the panel's class fidelity
is read by networks of different shapes (with configs/fashion_judge_dense.py), none of
them a perceptual classifier any autoencoder trained against. Trained as the conv judge
is: the training split less the 5,000 validation images, one-pixel shifts and flips, 10
epochs of batch 64 from 1.5e-3, times 0.8 per epoch; seed 4.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('cnn')
  config.model.features = (16, 32)
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
  config.seed = 4
  return config
