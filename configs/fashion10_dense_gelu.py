"""python main.py --config=configs/fashion10_dense_gelu.py --workdir=runs/fashion10_dense_gelu

Fashion-MNIST 10-unit record, attempt 4 (docs/records.md; targets test MSE 0.0100 and
class fidelity 0.85): the network that reached the MNIST-10 record
(configs/mnist10_dense_gelu.py: the dense 784-1000-500-250-10 autoencoder and its mirror
image with GELU, AdamW on a cosine schedule, a moving average of the weights, 360
epochs) on Fashion-MNIST, where the three earlier attempts all used the convolutional
network of configs/fashion10.py. Class fidelity is read by configs/cnn_fashion_judge.py,
trained first into runs/cnn_fashion_judge. Its figures are in docs/records.md.
"""

from configs import mnist10_dense_gelu


def get_config():
  config = mnist10_dense_gelu.get_config()
  config.data.name = 'fashion_mnist'
  config.evaluate.classifier_workdir = 'runs/cnn_fashion_judge'
  return config
