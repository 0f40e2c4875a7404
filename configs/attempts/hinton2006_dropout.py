"""python main.py --config=configs/attempts/hinton2006_dropout.py --workdir=runs/hinton2006_dropout

The wide 30-unit autoencoder with dropout after each hidden layer, for the 30-unit record
(docs/records.md; target 2.0 squared error per test image).

It differs from configs/attempts/hinton2006_cosine.py in `model.dropout_rate` 0.1 only.
That run and configs/attempts/hinton2006_bce.py ended overfitting, their training loss
0.00221 against 0.00273 on validation; dropout is the remedy their notes named. Squared
error, since cross-entropy bought nothing at the end.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.hidden_widths = (2000, 1000, 500)
  config.model.dropout_rate = 0.1
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 200
  return config
