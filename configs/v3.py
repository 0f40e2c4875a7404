"""python main.py --config=configs/v3.py --workdir=runs/v3

V3: deep 784-1500-1000-500-20 autoencoder, 1000 epochs, learning rate halved every 50.

The notebook's full run; `--config.num_epochs=3` gives a quick look.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v3')
  config.num_epochs = 1000
  config.optim.decay_rate = 0.5
  config.optim.transition_epochs = 50.0
  config.optim.staircase = True
  return config
