"""python main.py --config=configs/hinton2006_wide.py --workdir=runs/hinton2006_wide

30-unit record (docs/records.md; target 2.0 squared error per test image): twice Hinton
& Salakhutdinov's widths, 784-2000-1000-500-30 and its mirror image, since with one-pixel
shifts configs/hinton2006_long.py's training loss sits at its validation loss (short of
capacity, not of data). 200 epochs, the rate multiplied by 0.98 per epoch. Chosen on a
5,000-image validation split (`data.validation_size`); the test split is read once, by
`--mode=evaluate`. Its figures and time are in docs/records.md.
"""

from configs import hinton2006


def get_config():
  config = hinton2006.get_config()
  config.data.validation_size = 5000
  config.model.hidden_widths = (2000, 1000, 500)
  config.num_epochs = 200
  config.optim.decay_rate = 0.98
  return config
