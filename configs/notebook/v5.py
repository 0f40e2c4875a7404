"""python main.py --config=configs/notebook/v5.py --workdir=runs/notebook_v5

The notebook's V5 explosions: Adam at a constant 3e-3 makes its test loss spike.

The notebook: "30 epochs in it is down to 0.0636, then goes 0.0636 -> 0.173 -> 0.14432
-> 0.1317 -> 39.58 -> 149.78 -> 0.8528 -> 0.15 ... some numerical instability (close to
/0)". At Adam 3e-3 some of the decoder's ReLUs die (zero on every training batch),
so the running variance of the BatchNorm after them decays towards 0; evaluation
divides by sqrt(running variance + 1e-5), and a test image that wakes such a unit is
multiplied by ~316 per layer. Training, which normalises by each batch's own
variance, never sees it: the training loss stays calm while the test loss spikes.
Diagnostics every 100 steps record the dead units and running variances.
configs/notebook/v5_fixed.py changes only the learning rate.

Measured (real MNIST, seed 0): training loss 0.0445 -> 0.0320 over 10 epochs while the
test loss is 1,645 / 2,861 / 184 / 81.4 / 447 / 9.80 / 58.2 / 404 / 8,288 / 1.06e8;
4-5 features of the first decoder BatchNorm reach a running variance below 1e-6. With
Adam 1e-3 the test loss falls calmly to 0.0175 (40 epochs: 0.0150).
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('v5')
  config.data.train_subset = 32_000  # 1000 batches of 32 per epoch
  config.optim.learning_rate = 3e-3
  config.num_epochs = 10
  config.diagnostics.every_steps = 100
  return config
