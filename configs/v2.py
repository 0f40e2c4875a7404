"""python main.py --config=configs/v2.py --workdir=runs/v2

V2: V1 with sigmoids after the hidden layers and on the output, 5 epochs at batch 32.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v2')
  return config
