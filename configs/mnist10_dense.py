"""python main.py --config=configs/mnist10_dense.py --workdir=runs/mnist10_dense

MNIST-10 record, attempt 3 (docs/records.md; targets test MSE 0.0080 and class fidelity
0.98): the 30-unit record's recipe (configs/hinton2006_decay.py: the dense
784-2000-1000-500 network and its mirror image, one-pixel shifts, AdamW on a cosine
schedule, a moving average of the weights) with a code of 10 units, judged by
configs/cnn_mnist_judge.py's classifier as mnist10 is. The conv networks of attempts 1
and 2 fit their training images no better than validation (capacity, not updates, held
them); a dense step costs a quarter of theirs on this CPU, so the hour holds 200 epochs.
"""

from configs import hinton2006_decay


def get_config():
  config = hinton2006_decay.get_config()
  config.model.code_dim = 10
  config.evaluate.classifier_workdir = 'runs/cnn_mnist_judge'
  return config
