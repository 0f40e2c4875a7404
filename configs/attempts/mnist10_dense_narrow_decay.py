"""python main.py --config=configs/attempts/mnist10_dense_narrow_decay.py --workdir=runs/mnist10_dense_narrow_decay

The dense MNIST-10 autoencoder at Hinton & Salakhutdinov's widths with more weight decay,
for the MNIST-10 record (docs/records.md; targets test MSE 0.0080 and class fidelity
0.98).

It differs from configs/attempts/mnist10_dense_narrow.py in its weight decay per unit of
learning rate: 0.3 instead of 0.167, 1.8 times the total shrinkage of
configs/attempts/mnist10_dense_decay.py over the 360 epochs. The dense runs before it
moved validation only as the decay rose (0.0085 at 0.05, 0.0082 at 0.3) while the gap to
the training loss closed: this asks whether more of the regulariser that adds no noise to
the code goes on paying. Class fidelity is read by configs/cnn_mnist_judge.py's
classifier (runs/cnn_mnist_judge).
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.code_dim = 10
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.weight_decay = 0.3
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 360
  config.evaluate.classifier_workdir = 'runs/cnn_mnist_judge'
  return config
