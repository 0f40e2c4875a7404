"""python main.py --config=configs/fashion10_wide_perceptual.py --workdir=runs/fashion10_wide_perceptual

Fashion-MNIST 10-unit record, attempt 11 (docs/records.md; targets test MSE 0.0100 and
class fidelity 0.85): the wider convolutional network that attempt 3 named as its lead
(conv_ae at 32 and 64 channels and a dense layer of 512, twice configs/fashion10.py's
widths, one conv block per resolution so that an epoch fits the hour's budget), with
attempt 9's perceptual term (attempt 6's classifier, runs/cnn_fashion_features, weight
0.0003 on half of each batch), the one change that has moved fidelity, and a moving
average of the weights. It asks whether a decoder that draws with shared local kernels
turns the detail the perceptual term pays for into fidelity better than the dense
decoder of attempts 4-10. Class fidelity is still read by configs/cnn_fashion_judge.py.
"""

from configs import fashion10


def get_config():
  config = fashion10.get_config()
  config.model.features = (32, 64)
  config.model.hidden_units = 512
  config.model.convs_per_block = 1
  config.optim.ema_decay = 0.9995  # about 2,000 steps, as configs/mnist10_long.py
  config.optim.perceptual_weight = 0.0003
  config.optim.perceptual_workdir = 'runs/cnn_fashion_features'
  config.optim.perceptual_fraction = 0.5
  config.num_epochs = 18
  return config
