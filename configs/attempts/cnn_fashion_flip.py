"""python main.py --config=configs/attempts/cnn_fashion_flip.py --workdir=runs/cnn_fashion_flip

A Fashion-MNIST classifier with test-time flips and a cosine schedule, for the
Fashion-MNIST classifier record (docs/records.md; target 0.945 test accuracy).

configs/attempts/cnn_fashion_cutout.py's network with less regularisation, since that run
underfit (no Cutout, dropout 0.2), a cosine schedule (one epoch of warm-up to 2e-3, then
to 0 at the last step) that spends more of the hour at useful rates, and test-time flips
(`model.test_time_flip`: the logits of each garment and its mirror averaged). 30 epochs
of batch 64. Chosen on the validation split; the test split is read once. Its figures are
in docs/records.md.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('cnn')
  config.model.features = (32, 64, 128)
  config.model.dense_units = 512
  config.model.dropout_rate = 0.2
  config.model.test_time_flip = True
  config.data.name = 'fashion_mnist'
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.augment.flip = True
  config.optim.learning_rate = 2e-3
  config.optim.schedule = 'cosine'
  config.optim.warmup_epochs = 1.0
  config.optim.decay_rate = 0.9  # the cosine schedule ignores it; kept as recorded
  config.batch_size = 64
  config.num_epochs = 30
  return config
