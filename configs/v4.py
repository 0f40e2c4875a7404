"""python main.py --config=configs/v4.py --workdir=runs/v4

V4: 784-128-64-32-16 funnel with PyTorch-style BatchNorm after every layer, 20 epochs.

The notebook does not fix V4's schedule; ours is Adam 1e-3 decayed by 0.9 per epoch
over 20 epochs at batch 32, which keeps the BatchNorm net stable.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v4')
  config.num_epochs = 20
  config.optim.decay_rate = 0.9
  config.optim.transition_epochs = 1.0
  return config
