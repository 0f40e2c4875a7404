"""python main.py --config=configs/attempts/mnist10.py --workdir=runs/mnist10

MNIST through a code of exactly 10 float32 numbers with a convolutional autoencoder, for
the MNIST-10 record (docs/records.md; targets test MSE 0.0080 and class fidelity 0.98).

Every choice is made on the validation split (the last 5,000 training images, held out),
the test split read once by `--mode=evaluate` at the end. Class fidelity is read by the
judge of configs/cnn_mnist_judge.py, trained first by its own command into
runs/cnn_mnist_judge; the autoencoder's training never sees it. The network is
configs/conv_ae.py's with two conv blocks at each resolution (VGG's way of deepening), on
a cosine schedule: half an epoch of warm-up to 2e-3, then half a cosine to 0 at the last
step, which spends the run at useful rates where an exponential decay is near 0 for its
last third. 20 epochs of batch 64. Its figures, time and the runs that chose it are in
docs/records.md.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('conv_ae')
  config.model.convs_per_block = 2
  config.data.validation_size = 5000
  config.optim.learning_rate = 2e-3
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 0.5
  config.optim.decay_rate = 0.85  # the cosine schedule ignores it; kept as recorded
  config.batch_size = 64
  config.num_epochs = 20
  config.evaluate.classifier_workdir = 'runs/cnn_mnist_judge'
  return config
