"""python main.py --config=configs/v5.py --workdir=runs/v5

V5: V4 with a BatchNorm(784) normalising the input, 20 epochs.

Same schedule as V4 (Adam 1e-3 decayed by 0.9 per epoch); the notebook's V5 ran at a
constant rate and its loss exploded.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v5')
  config.optim.decay_rate = 0.9
  config.num_epochs = 20
  return config
