"""python main.py --config=configs/attempts/hinton2006_wide.py --workdir=runs/hinton2006_wide

Twice Hinton & Salakhutdinov's widths, 784-2000-1000-500-30 and its mirror image, for the
30-unit record (docs/records.md; target 2.0 squared error per test image).

With one-pixel shifts the paper's widths (configs/attempts/hinton2006_long.py) leave the
training loss at the validation loss: short of capacity, not of data. 200 epochs, the
rate multiplied by 0.98 per epoch. Chosen on a 5,000-image validation split
(`data.validation_size`); the test split is read once, by `--mode=evaluate`. Its figures
and time are in docs/records.md.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.hidden_widths = (2000, 1000, 500)
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.decay_rate = 0.98
  config.batch_size = 128
  config.num_epochs = 200
  return config
