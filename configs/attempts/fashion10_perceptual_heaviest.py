"""python main.py --config=configs/attempts/fashion10_perceptual_heaviest.py --workdir=runs/fashion10_perceptual_heaviest

The dense GELU Fashion-MNIST 10-unit autoencoder with the perceptual weight raised again,
for the Fashion-MNIST 10-unit record (docs/records.md; targets test MSE 0.0100 and class
fidelity 0.85).

It differs from configs/attempts/fashion10_perceptual_heavier.py (the classifier
configs/attempts/cnn_fashion_features.py, trained first into runs/cnn_fashion_features;
the perceptual term on half of each batch, 180 epochs) in the weight, 0.0006: the largest
that that run's rule admits once the rule's prediction uses the cost per unit of weight
measured at the full length (docs/records.md, written before the run). Class fidelity is
still read by configs/cnn_fashion_judge.py.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.code_dim = 10
  config.model.hidden_activation = 'gelu'
  config.data.name = 'fashion_mnist'
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.weight_decay = 0.167
  config.optim.perceptual_weight = 0.0006
  config.optim.perceptual_workdir = 'runs/cnn_fashion_features'
  config.optim.perceptual_fraction = 0.5
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 180
  config.evaluate.classifier_workdir = 'runs/cnn_fashion_judge'
  return config
