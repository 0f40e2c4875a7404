"""python main.py --config=configs/attempts/mnist10_dense.py --workdir=runs/mnist10_dense

The 30-unit record's dense recipe with a code of 10 units, for the MNIST-10 record
(docs/records.md; targets test MSE 0.0080 and class fidelity 0.98).

It differs from configs/hinton2006_decay.py (784-2000-1000-500 and its mirror image,
one-pixel shifts, AdamW with decay 0.05 on a cosine schedule, a moving average of the
weights, 200 epochs) in the code and its judge: configs/cnn_mnist_judge.py's classifier,
trained first into runs/cnn_mnist_judge. The conv networks of configs/attempts/mnist10.py
and configs/attempts/mnist10_long.py fit their training images no better than validation
(capacity, not updates, held them); a dense step costs a quarter of theirs on this CPU,
so the hour holds 200 epochs.
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
  config.optim.weight_decay = 0.05
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 200
  config.evaluate.classifier_workdir = 'runs/cnn_mnist_judge'
  return config
