"""python main.py --config=configs/hinton2006.py --workdir=runs/hinton2006

The deep autoencoder of Hinton & Salakhutdinov, "Reducing the dimensionality of data
with neural networks" (Science, 2006): 784-1000-500-250-30 and back, trained end to
end with Adam instead of their RBM pretraining (jax_ae/models.py::DeepAutoencoder).
They report 3.00 squared error per MNIST test image (PCA with 30 components: 13.87);
`--mode=evaluate` reports ours as `sse_per_image`.
"""

from configs import default


def get_config():
  config = default.get_config()
  config.model.name = 'hinton2006'
  config.model.code_dim = 30
  config.batch_size = 128
  config.num_epochs = 150
  config.optim.learning_rate = 1e-3
  config.optim.decay_rate = 0.98
  config.optim.transition_epochs = 1.0
  return config
