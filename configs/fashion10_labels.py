"""python main.py --config=configs/fashion10_labels.py --workdir=runs/fashion10_labels

The Fashion-MNIST 10-unit record's second attempt (docs/records.md): configs/fashion10.py
as a supervised autoencoder. A softmax head reads the 10-number code and training adds
0.01 times its cross-entropy against the training labels to the mean squared error
(`model.label_weight`, jax_ae/models.py::ConvAutoencoder). The code stays the decoder's
only input; the head is used in training only; the judge is never seen.

Why: fashion10's code lost the class, not the shape. Its reconstructions of coats and
shirts read as pullovers and T-shirts (class fidelity 0.19 and 0.24), and a linear probe
on its codes found the class only 78.6% of the time: the few pixels of collar, zip and
buttons that tell them apart cost the squared error too little to earn a place in 10
numbers. The label loss pays for them. Its weight puts the cross-entropy (about 0.3 once
learned) at a third of the squared error (about 0.01) or less, so the reconstruction
stays the main objective. The rest is fashion10's: 20 epochs, about 38 minutes.
"""

from configs import fashion10


def get_config():
  config = fashion10.get_config()
  config.model.label_weight = 0.01
  return config
