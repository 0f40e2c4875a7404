"""python main.py --config=configs/fashion10.py --workdir=runs/fashion10

Fashion-MNIST 10-unit record (docs/records.md): Fashion-MNIST through a code of exactly
10 float32 numbers, with configs/mnist10.py's recipe (conv_ae with two conv blocks per
resolution, a cosine schedule from 2e-3, 20 epochs of batch 64). Every choice is made on
the validation split (the last 5,000 training images); the test split is read once by
`--mode=evaluate`. Class fidelity is read by the judge of configs/cnn_fashion_judge.py,
trained first by its own command into runs/cnn_fashion_judge; the autoencoder's training
never sees it. Its figures are in docs/records.md.
"""

from configs import mnist10


def get_config():
  config = mnist10.get_config()
  config.data.name = 'fashion_mnist'
  config.evaluate.classifier_workdir = 'runs/cnn_fashion_judge'
  return config
