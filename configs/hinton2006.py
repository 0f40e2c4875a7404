"""python main.py --config=configs/hinton2006.py --workdir=runs/hinton2006

The deep autoencoder of Hinton & Salakhutdinov, "Reducing the dimensionality of data
with neural networks" (Science, 2006): 784-1000-500-250-30 and back, trained end to
end with Adam instead of their RBM pretraining (jax_ae/models/networks.py::DeepAutoencoder).
They report 3.00 squared error per MNIST test image (PCA with 30 components: 13.87);
`--mode=evaluate` reports ours as `sse_per_image` (RESULTS.md has the figures).

Recipe: ReLU hidden layers, a linear code, a sigmoid output, mean squared error, Adam
from 1e-3 decayed by 0.98 per epoch, batch 128, 150 epochs, and every training image
shifted by up to one pixel (`augment.max_shift=1`, the target shifted with it): without
the shifts the network memorises the training digits and its test error stops falling.
"""

from configs import default
from jax_ae.models import networks


def get_config():
  config = default.get_config()
  config.model = networks.default_model_config('hinton2006')
  config.batch_size = 128
  config.num_epochs = 150
  config.optim.learning_rate = 1e-3
  config.optim.decay_rate = 0.98
  config.optim.transition_epochs = 1.0
  config.augment.max_shift = 1
  return config
