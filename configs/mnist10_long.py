"""python main.py --config=configs/mnist10_long.py --workdir=runs/mnist10_long

MNIST-10 record, attempt 2 (docs/records.md): configs/mnist10.py for 50 epochs instead
of 20, with a moving average of its weights (`optim.ema_decay` 0.9995, about 2,000
steps). mnist10 did not overfit and its validation loss was still falling at rates
under 5e-4: it was short of updates, which a CPU with twice the float32 rate now buys
within the hour. The evaluation reads whichever of the raw and averaged weights is
better on validation (eval.json's `weights`); the judge is configs/cnn_mnist_judge.py's,
trained first into runs/cnn_mnist_judge.
"""

from configs import mnist10


def get_config():
  config = mnist10.get_config()
  config.num_epochs = 50
  config.optim.ema_decay = 0.9995
  return config
