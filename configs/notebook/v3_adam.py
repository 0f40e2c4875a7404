"""python main.py --config=configs/notebook/v3_adam.py --workdir=runs/notebook_v3_adam

The notebook's V3 with the one change that fixes it: Adam at its default 1e-3.

It differs from configs/notebook/v3.py (plain SGD at 0.1) in the optimizer only. Adam
divides each parameter's step by the size of its own recent gradients, so the first
layers' tiny gradients still give full-sized steps and the code starts to depend on the
input. Measured: training loss 0.0458 after one epoch, 0.0155 after 10 (test 0.0157),
against SGD's 0.0653.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v3')
  config.data.train_subset = 32_000  # 1000 batches of 32 per epoch
  # V3's schedule (configs/v3.py): over these 10 epochs the rate stays constant.
  config.optim.decay_rate = 0.5
  config.optim.transition_epochs = 50.0
  config.num_epochs = 10  # the notebook ran 1000; it had plateaued by epoch 40
  config.diagnostics.every_steps = 100
  return config
