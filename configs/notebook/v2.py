"""python main.py --config=configs/notebook/v2.py --workdir=runs/notebook_v2

The notebook's V2 as it must have been trained: plain SGD at 0.1 on 1000 batches of 32.

The notebook reports 0.2375 -> 0.0746, worse than V1 although V2 only adds sigmoids:
under the same SGD as configs/notebook/v1.py, the output sigmoid (slope at most 0.25)
slows learning at least four times more, so V2 has not yet reached the mean image
(0.0675) when V1 is just past it. configs/notebook/v2_adam.py changes only the
optimizer. docs/notebook.md has the search and the measured figures.

Measured (real MNIST, seed 0): epoch-5 training loss 0.0736 (notebook 0.0746), test
0.0728; with Adam (configs/notebook/v2_adam.py) 0.0334, test 0.0319.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v2')
  config.model.hidden_units = 64
  config.data.train_subset = 32_000  # 1000 batches of 32 per epoch
  config.optim.name = 'sgd'
  config.optim.learning_rate = 0.1
  config.diagnostics.every_steps = 1000
  return config
