"""python main.py --config=configs/hinton2006_cosine.py --workdir=runs/hinton2006_cosine

30-unit record, attempt 4 (docs/records.md; target 2.0 squared error per test image):
configs/hinton2006_wide.py's network (784-2000-1000-500-30 and its mirror image) on a
cosine schedule, a linear warm-up over one epoch to 1e-3 then half a cosine to 0, in
place of x0.98 per epoch, which left its last 50 epochs under 5e-5, and a moving
average of the weights (`optim.ema_decay` 0.999, about 2.3 epochs of 430 steps). The
same 200 epochs: dense steps are no faster on this CPU, and 200 fill most of the hour.
`--mode=evaluate` reads whichever of the raw and averaged weights is better on
validation.
"""

from configs import hinton2006_wide


def get_config():
  config = hinton2006_wide.get_config()
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.decay_rate = 1.0
  config.num_epochs = 200
  config.optim.ema_decay = 0.999
  return config
