"""python main.py --config=configs/attempts/hinton2006_cosine.py --workdir=runs/hinton2006_cosine

The wide 784-2000-1000-500-30 autoencoder on a cosine schedule with a moving average of
its weights, for the 30-unit record (docs/records.md; target 2.0 squared error per test
image).

The cosine schedule, a linear warm-up over one epoch to 1e-3 then half a cosine to 0,
replaces configs/attempts/hinton2006_wide.py's x0.98 per epoch, which left its last 50
epochs under 5e-5; the moving average (`optim.ema_decay` 0.999) spans about 2.3 epochs of
430 steps. The same 200 epochs: dense steps are no faster on this CPU, and 200 fill most
of the hour. `--mode=evaluate` reads whichever of the raw and averaged weights is better
on validation.
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
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 200
  return config
