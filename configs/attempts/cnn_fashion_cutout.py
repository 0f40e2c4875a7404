"""python main.py --config=configs/attempts/cnn_fashion_cutout.py --workdir=runs/cnn_fashion_cutout

configs/cnn_fashion.py's classifier with Cutout, for the Fashion-MNIST classifier record
(docs/records.md; target 0.945 test accuracy).

Three conv, BatchNorm, ReLU and max-pool blocks of 32, 64 and 128 channels and a dense
layer of 512 with dropout, trained on 55,000 images with 5,000 held out as a validation
split (`data.validation_size`): the recipe is judged there, and the test split is read
once, at the end. What it adds to cnn_fashion's shifts and flips: Cutout
(`augment.erase_size`, DeVries & Taylor 2017), an 8x8 square of each training image set
to 0, so that the network cannot lean on one detail of a garment. The schedule is
cnn_fashion's (30 epochs, the rate multiplied by 0.9 per epoch), so that the two differ
by Cutout and the held-out images only. The accuracy it reaches and its training time on
2 CPU cores are in docs/records.md.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.task = 'classify'
  config.model = networks.default_model_config('cnn')
  config.model.features = (32, 64, 128)
  config.model.dense_units = 512
  config.model.dropout_rate = 0.3
  config.data.name = 'fashion_mnist'
  config.data.validation_size = 5000
  config.augment.max_shift = 1
  config.augment.flip = True
  config.augment.erase_size = 8
  config.optim.learning_rate = 1.5e-3
  config.optim.decay_rate = 0.9
  config.batch_size = 64
  config.num_epochs = 30
  return config
