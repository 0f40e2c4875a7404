"""python main.py --config=configs/cnn_fashion_features.py --workdir=runs/cnn_fashion_features

The frozen classifier of the perceptual term of the Fashion-MNIST 10-unit record's
attempts 6 and 9-12 (configs/fashion10_perceptual.py, `optim.perceptual_workdir`):
training compares its logits on a reconstruction with those on the image. It must not be
the judge (configs/cnn_fashion_judge.py), so it is another network from another seed:
one conv block of 16 channels and a dense layer of 64, small because every step of the
autoencoder runs it three times (the image forward, the reconstruction forward and
backward). The judge's data, split and augmentation otherwise: 5,000 training images
held out, one-pixel shifts and left-right flips, 10 epochs of batch 64.
"""

from configs import cnn_fashion_judge


def get_config():
  config = cnn_fashion_judge.get_config()
  config.model.features = (16,)
  config.model.dense_units = 64
  config.seed = 1
  return config
