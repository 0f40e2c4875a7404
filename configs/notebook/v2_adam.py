"""python main.py --config=configs/notebook/v2_adam.py --workdir=runs/notebook_v2_adam

The notebook's V2 with the one change that fixes it: Adam at its default 1e-3.

It differs from configs/notebook/v2.py (plain SGD at 0.1) in the optimizer only.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v2')
  config.model.hidden_units = 64
  config.data.train_subset = 32_000  # 1000 batches of 32 per epoch
  config.diagnostics.every_steps = 1000
  return config
