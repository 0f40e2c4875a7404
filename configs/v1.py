"""python main.py --config=configs/v1.py --workdir=runs/v1

V1: linear autoencoder 784-128-10-128-784, 5 epochs at batch 32, as in the notebook.

`model.hidden_units` (H) is not stated by the notebook; 128 is our default.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v1')
  return config
