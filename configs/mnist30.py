"""python main.py --config=configs/mnist30.py --workdir=runs/mnist30

30-unit record (docs/records.md): MNIST through a code of exactly 30 float32 numbers,
scored as squared error per test image against Hinton & Salakhutdinov's 3.00. Every
choice is made on the validation split (the last 5,000 training images); the test split
is read once by `--mode=evaluate`. Class fidelity is read by the judge of
configs/cnn_mnist_judge.py (runs/cnn_mnist_judge).

configs/mnist10.py's recipe with a 30-unit code: conv_ae with two conv blocks at each
resolution and a cosine schedule, 25 epochs of batch 64. Its figures are in
docs/records.md.
"""

from configs import mnist10


def get_config():
  config = mnist10.get_config()
  config.model.code_dim = 30
  config.num_epochs = 25
  return config
