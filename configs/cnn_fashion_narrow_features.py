"""python main.py --config=configs/cnn_fashion_narrow_features.py --workdir=runs/cnn_fashion_narrow_features

The frozen classifier of Fashion-10's attempt 8 (configs/fashion10_perceptual_narrow.py):
attempt 6's (configs/cnn_fashion_features.py) with its conv block narrowed from 16
channels to 8. The perceptual term runs its classifier three times a step, and attempt
6's step spent most of the classifier's time on that block's full-resolution maps
(its input gradient, BatchNorm, pooling), which halve with the channels; attempt 7
showed a dense classifier buys no fidelity, so the conv stays. Not the judge
(configs/cnn_fashion_judge.py): the judge's data, split and augmentation, seed 1.
"""

from configs import cnn_fashion_features


def get_config():
  config = cnn_fashion_features.get_config()
  config.model.features = (8,)
  return config
