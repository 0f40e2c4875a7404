"""python main.py --config=configs/notebook/v2_adam.py --workdir=runs/notebook_v2_adam

configs/notebook/v2.py with the one change that fixes it: Adam at its default 1e-3.
"""

from configs.notebook import v2


def get_config():
  config = v2.get_config()
  config.optim.name = 'adam'
  config.optim.learning_rate = 1e-3
  return config
