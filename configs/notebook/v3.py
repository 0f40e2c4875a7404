"""python main.py --config=configs/notebook/v3.py --workdir=runs/notebook_v3

The notebook's V3 plateau: plain SGD at 0.1 leaves V3 on the mean image (0.0675).

The notebook: "plateaued 40 epochs in, reaching 0.0673 (i.e. the same as the old
models). Didn't improve over the next 950 epochs." Trained as V1 and V2 must have been
(configs/notebook/v1.py: plain SGD at 0.1, 1000 batches of 32 per epoch), V3's output
no longer depends on its input: PyTorch-style initialisation shrinks the across-image
signal about 7x per ReLU layer, the gradient reaching the first layers is tiny, and
SGD only moves the output biases, to the mean image. Diagnostics every 100 steps
(diagnostics.png) show the gradient norms and update ratios of the first layers.
configs/notebook/v3_adam.py changes only the optimizer. docs/notebook.md explains.

Measured (real MNIST, seed 0): training loss 0.0751, then 0.0672 / 0.0672 / 0.0671 /
0.0670 in epochs 2-5 (notebook 0.0673), creeping to 0.0653 by epoch 10 (test 0.0653);
with Adam 0.0155 (test 0.0157).
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v3')
  config.data.train_subset = 32_000  # 1000 batches of 32 per epoch
  config.optim.name = 'sgd'
  config.optim.learning_rate = 0.1
  # V3's schedule (configs/v3.py): over these 10 epochs the rate stays constant.
  config.optim.decay_rate = 0.5
  config.optim.transition_epochs = 50.0
  config.num_epochs = 10  # the notebook ran 1000; it had plateaued by epoch 40
  config.diagnostics.every_steps = 100
  return config
