"""python main.py --config=configs/attempts/mnist10_dense_decay.py --workdir=runs/mnist10_dense_decay

The dense MNIST-10 autoencoder (784-2000-1000-500-10 and its mirror image) with six times
the weight decay, for the MNIST-10 record (docs/records.md; targets test MSE 0.0080 and
class fidelity 0.98).

It differs from configs/attempts/mnist10_dense.py in `optim.weight_decay`: 0.3 per unit
of learning rate (AdamW) instead of 0.05. That run fitted its training images far better
than validation (0.0058 against 0.0085) and its moving average was best on validation
halfway through: it overfitted, and decay is the regulariser that adds no noise to the
10-unit code (dropout cost the 30-unit network 60%). Class fidelity is read by
configs/cnn_mnist_judge.py's classifier (runs/cnn_mnist_judge).
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.hidden_widths = (2000, 1000, 500)
  config.model.code_dim = 10
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.weight_decay = 0.3
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 200
  config.evaluate.classifier_workdir = 'runs/cnn_mnist_judge'
  return config
