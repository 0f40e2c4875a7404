"""python main.py --config=configs/mnist30.py --workdir=runs/mnist30

The 30-unit record (docs/records.md): MNIST through a code of exactly 30 float32
numbers, scored as squared error per test image against Hinton & Salakhutdinov's 3.00
and the dense hinton2006_wide's 2.17. Every choice is made on the validation split (the
last 5,000 training images, held out); the test split is read once by `--mode=evaluate`.
Class fidelity is read by the judge of configs/cnn_mnist_judge.py (runs/cnn_mnist_judge).

configs/mnist10.py's recipe with a 30-unit code: the conv_ae network with two conv blocks
at each resolution, whose weight sharing took a 10-unit code from V2's dense 0.021 to
0.0093, and a cosine schedule (half an epoch of warm-up to 2e-3, then to 0 at the last
step). 25 epochs of batch 64 on 55,000 images, about 50 minutes on 2 idle cores.
"""

from configs import mnist10


def get_config():
  config = mnist10.get_config()
  config.model.code_dim = 30
  config.num_epochs = 25
  return config
