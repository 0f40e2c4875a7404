"""python main.py --config=configs/cnn_fashion_flip.py --workdir=runs/cnn_fashion_flip

Fashion-MNIST classifier record (docs/records.md): configs/cnn_fashion_cutout.py's
network with less regularisation, since that run underfit (no Cutout, dropout 0.2), a
cosine schedule (one epoch of warm-up to 2e-3, then to 0 at the last step) that spends
more of the hour at useful rates, and test-time flips (`model.test_time_flip`: the
logits of each garment and its mirror averaged). 30 epochs of batch 64. Chosen on the
validation split; the test split is read once. Its figures are in docs/records.md.
"""

from configs import cnn_fashion


def get_config():
  config = cnn_fashion.get_config()
  config.data.validation_size = 5000
  config.model.dropout_rate = 0.2
  config.model.test_time_flip = True
  config.optim.schedule = 'cosine'
  config.optim.learning_rate = 2e-3
  config.optim.warmup_epochs = 1.0
  return config
