"""python main.py --config=configs/hinton2006_decay.py --workdir=runs/hinton2006_decay

The 30-unit record (docs/records.md; target 2.0 squared error per test image): twice
Hinton & Salakhutdinov's widths, 784-2000-1000-500-30 and its mirror image, trained as
AdamW with its kernels decayed by 0.05 per unit of learning rate (`optim.weight_decay`).

One-pixel shifts, batch 128, 200 epochs on a cosine schedule (a linear warm-up over one
epoch to 1e-3, then half a cosine to 0) and a moving average of the weights
(`optim.ema_decay` 0.999, about 2.3 epochs of 430 steps). Over the schedule's 85,800
steps the rates sum to about 43, so an unused weight would shrink by e^-2. Without decay
the network ends overfitting (training loss 0.00221 against 0.00273 on validation,
configs/attempts/hinton2006_cosine.py); dropout (configs/attempts/hinton2006_dropout.py)
fights that with noise the 30-unit code cannot spare, decay adds none. Chosen on a
5,000-image validation split; `--mode=evaluate` reads whichever of the raw and averaged
weights is better on validation.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.hidden_widths = (2000, 1000, 500)
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.weight_decay = 0.05
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 200
  return config
