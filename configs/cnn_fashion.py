"""python main.py --config=configs/cnn_fashion.py --workdir=runs/cnn_fashion

The notebook's to-do item "experience with CNNs on Fashion MNIST": a classifier of
three conv, BatchNorm, ReLU and max-pool blocks (32, 64 and 128 channels: 28 -> 14 ->
7 -> 3), a dense layer of 256 with dropout, and 10 logits
(jax_ae/models.py::CnnClassifier). Random shifts of up to 1 pixel and left-right
flips (clothes are symmetric) are drawn on the device in each step.

Fashion-MNIST's benchmark lists 0.934 for two conv + pooling + BatchNorm layers. What
we tried, on 2 CPU cores:
- two blocks (32, 64), dropout 0.3, shifts of 2, lr x0.8 per epoch: 0.902 after 7
  epochs, training accuracy below test accuracy: too little capacity for this much
  regularisation;
- three blocks, same regularisation, lr x0.85 per epoch: 0.911 after 8 epochs, the
  learning rate already down to a third.
Hence three blocks (a step costs 1.5x two blocks', about 50 s per epoch), milder
regularisation, and a slower decay that still ends near 1e-4.
"""

from configs import default


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.data.name = 'fashion_mnist'
  config.model.name = 'cnn'
  config.model.features = (32, 64, 128)
  config.model.dense_units = 256
  config.model.dropout_rate = 0.25
  config.augment.max_shift = 1
  config.augment.flip = True
  config.batch_size = 128
  config.num_epochs = 26
  config.optim.learning_rate = 2e-3
  config.optim.decay_rate = 0.9
  config.optim.transition_epochs = 1.0
  return config
