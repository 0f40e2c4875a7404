"""python main.py --config=configs/fashion10_labels.py --workdir=runs/fashion10_labels

Fashion-MNIST 10-unit record (docs/records.md): configs/fashion10.py as a supervised
autoencoder. A softmax head reads the 10-number code, and training adds 0.01 times its
cross-entropy against the training labels to the squared error (`model.label_weight`,
jax_ae/models/networks.py::ConvAutoencoder), so that the code keeps the class, which fashion10's
lost. The code stays the decoder's only input; the head is used in training only; the
judge is never seen. The weight keeps the reconstruction the main objective. Its
figures are in docs/records.md.
"""

from configs import fashion10


def get_config():
  config = fashion10.get_config()
  config.model.label_weight = 0.01
  return config
