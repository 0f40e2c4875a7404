"""python main.py --config=configs/attempts/fashion10_dense_labels.py --workdir=runs/fashion10_dense_labels

The dense GELU Fashion-MNIST 10-unit autoencoder with a supervised code head, for the
Fashion-MNIST 10-unit record (docs/records.md; targets test MSE 0.0100 and class fidelity
0.85).

It differs from configs/attempts/fashion10_dense_gelu.py, which met the squared-error
target and not the fidelity one, in the code head of configs/attempts/fashion10_labels.py
(`model.label_weight=0.01`): training also pays 0.01 times the cross-entropy of a softmax
head on the 10 numbers, so that the code carries the class that the fidelity reads. Class
fidelity is read by configs/cnn_fashion_judge.py, trained first into
runs/cnn_fashion_judge. Its figures are in docs/records.md.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.model.code_dim = 10
  config.model.hidden_activation = 'gelu'
  config.model.label_weight = 0.01
  config.data.name = 'fashion_mnist'
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.weight_decay = 0.167
  config.optim.ema_decay = 0.999
  config.batch_size = 128
  config.num_epochs = 360
  config.evaluate.classifier_workdir = 'runs/cnn_fashion_judge'
  return config
