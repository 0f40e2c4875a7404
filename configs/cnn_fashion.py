"""python main.py --config=configs/cnn_fashion.py --workdir=runs/cnn_fashion

The notebook's to-do item "experience with CNNs on Fashion MNIST": a classifier of
three conv, BatchNorm, ReLU and max-pool blocks (32, 64 and 128 channels: 28 -> 14 ->
7 -> 3), a dense layer of 256 with dropout, and 10 logits
(jax_ae/models.py::CnnClassifier). Random shifts of up to 2 pixels and left-right
flips (clothes are symmetric) are drawn on the device in each step.

Fashion-MNIST's benchmark lists 0.934 for two conv + pooling + BatchNorm layers. Our
first try, two blocks (32, 64) for 20 epochs, was at 0.902 after 7 epochs with its
training accuracy below its test accuracy: too little capacity for this much
regularisation. The third block doubles the cost of a step (about 50 s per epoch on
2 CPU cores instead of 35) and adds the capacity.
"""

from configs import default


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.data.name = 'fashion_mnist'
  config.model.name = 'cnn'
  config.model.features = (32, 64, 128)
  config.model.dense_units = 256
  config.model.dropout_rate = 0.3
  config.augment.max_shift = 2
  config.augment.flip = True
  config.batch_size = 128
  config.num_epochs = 24
  config.optim.learning_rate = 2e-3
  config.optim.decay_rate = 0.85
  config.optim.transition_epochs = 1.0
  return config
