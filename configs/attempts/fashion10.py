"""python main.py --config=configs/attempts/fashion10.py --workdir=runs/fashion10

Fashion-MNIST through a code of exactly 10 float32 numbers with the convolutional
MNIST-10 recipe, for the Fashion-MNIST 10-unit record (docs/records.md; targets test MSE
0.0100 and class fidelity 0.85).

The recipe is configs/attempts/mnist10.py's: conv_ae with two conv blocks per resolution,
a cosine schedule from 2e-3, 20 epochs of batch 64. Every choice is made on the
validation split (the last 5,000 training images); the test split is read once by
`--mode=evaluate`. Class fidelity is read by the judge of configs/cnn_fashion_judge.py,
trained first by its own command into runs/cnn_fashion_judge; the autoencoder's training
never sees it. Its figures are in docs/records.md.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('conv_ae')
  config.model.convs_per_block = 2
  config.data.name = 'fashion_mnist'
  config.data.validation_size = 5000
  config.optim.learning_rate = 2e-3
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 0.5
  config.optim.decay_rate = 0.85  # the cosine schedule ignores it; kept as recorded
  config.batch_size = 64
  config.num_epochs = 20
  config.evaluate.classifier_workdir = 'runs/cnn_fashion_judge'
  return config
