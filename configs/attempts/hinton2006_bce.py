"""python main.py --config=configs/attempts/hinton2006_bce.py --workdir=runs/hinton2006_bce

The wide 30-unit autoencoder trained on the pixels' binary cross-entropy, for the 30-unit
record (docs/records.md; target 2.0 squared error per test image).

It differs from configs/attempts/hinton2006_cosine.py in the training loss only
(`optim.reconstruction_loss='bce'`), the loss Hinton & Salakhutdinov trained MNIST's deep
autoencoder on, in place of their squared error. Cross-entropy keeps a pixel's gradient
large where a sigmoid saturates near 0 or 1, where most of MNIST's pixels are.
Validation, the raw-or-average choice and the record itself still measure squared error.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.hidden_widths = (2000, 1000, 500)
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.reconstruction_loss = 'bce'
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 200
  return config
