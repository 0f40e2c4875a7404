"""python main.py --config=configs/cnn_fashion_dense_features.py --workdir=runs/cnn_fashion_dense_features

The frozen classifier of Fashion-10's attempt 7 (configs/fashion10_perceptual_dense.py):
a dense network (the `mlp` model: 784 pixels, a ReLU layer of 256 with dropout 0.25, 10
logits) where attempt 6's (configs/cnn_fashion_features.py) had a conv block. The
perceptual term runs its classifier three times a step; attempt 6's conv block about
doubled the autoencoder's step and took the device loop from it, where this one's
passes are dense layers a tenth the size of the autoencoder's. Not the judge
(configs/cnn_fashion_judge.py): another network from another seed, on the judge's data,
split and augmentation (5,000 images held out, one-pixel shifts and flips, 10 epochs).
"""

from configs import cnn_fashion_features
from jax_ae.models import networks


def get_config():
  config = cnn_fashion_features.get_config()
  config.model = networks.default_model_config('mlp')
  config.model.hidden_widths = (256,)
  config.model.dropout_rate = 0.25
  return config
