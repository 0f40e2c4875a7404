"""python main.py --config=configs/fashion_judge_dense.py --workdir=runs/fashion_judge_dense

A judge of the Fashion-MNIST 10-unit record's panel (docs/records.md): a dense
classifier, 784-512-256-10 with ReLU and dropout 0.2, so that the panel's class fidelity
is read by networks of different shapes (with configs/cnn_fashion_judge.py and
configs/fashion_judge_narrow.py), none of them a perceptual classifier any autoencoder
trained against. Trained on the training split less the 5,000 validation images, its
epochs judged on validation accuracy, the test split read once after the last epoch;
shifts and flips as the conv judge's, 15 epochs of batch 128 from 1e-3 on a cosine
schedule, seed 3 (no other classifier of the project uses it).
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('mlp')
  config.model.hidden_widths = (512, 256)
  config.model.dropout_rate = 0.2
  config.data.name = 'fashion_mnist'
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.augment.flip = True
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.batch_size = 128
  config.num_epochs = 15
  config.seed = 3
  return config
