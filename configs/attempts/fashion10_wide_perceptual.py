"""python main.py --config=configs/attempts/fashion10_wide_perceptual.py --workdir=runs/fashion10_wide_perceptual

A wider convolutional Fashion-MNIST 10-unit autoencoder with the perceptual term, for the
Fashion-MNIST 10-unit record (docs/records.md; targets test MSE 0.0100 and class fidelity
0.85).

conv_ae at 32 and 64 channels and a dense layer of 512, twice
configs/attempts/fashion10.py's widths, one conv block per resolution so that an epoch
fits the hour's budget: the lead that docs/records.md names after
configs/attempts/fashion10_edges.py. With the perceptual term of configs/attempts/fashion10_perceptual_part.py (the
classifier configs/attempts/cnn_fashion_features.py, trained first into
runs/cnn_fashion_features; weight 0.0003 on half of each batch), the one change that has
moved fidelity, and a moving average of the weights. It asks whether a decoder that draws
with shared local kernels turns the detail the perceptual term pays for into fidelity
better than a dense decoder. Class fidelity is still read by
configs/cnn_fashion_judge.py.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('conv_ae')
  config.model.features = (32, 64)
  config.model.hidden_units = 512
  config.data.name = 'fashion_mnist'
  config.data.validation_size = 5000
  config.optim.learning_rate = 2e-3
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 0.5
  config.optim.decay_rate = 0.85  # the cosine schedule ignores it; kept as recorded
  config.optim.perceptual_weight = 0.0003
  config.optim.perceptual_workdir = 'runs/cnn_fashion_features'
  config.optim.perceptual_fraction = 0.5
  config.optim.ema_decay = 0.9995  # about 2,000 steps
  config.batch_size = 64
  config.num_epochs = 18
  config.evaluate.classifier_workdir = 'runs/cnn_fashion_judge'
  return config
