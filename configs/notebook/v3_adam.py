"""python main.py --config=configs/notebook/v3_adam.py --workdir=runs/notebook_v3_adam

configs/notebook/v3.py with the one change that fixes it: Adam at its default 1e-3.

Adam divides each parameter's step by the size of its own recent gradients, so the
first layers' tiny gradients still give full-sized steps and the code starts to
depend on the input. Measured: training loss 0.0458 after one epoch, 0.0155 after 10
(test 0.0157), against SGD's 0.0653.
"""

from configs.notebook import v3


def get_config():
  config = v3.get_config()
  config.optim.name = 'adam'
  config.optim.learning_rate = 1e-3
  return config
