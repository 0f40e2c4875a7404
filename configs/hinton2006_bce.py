"""python main.py --config=configs/hinton2006_bce.py --workdir=runs/hinton2006_bce

30-unit record, attempt 5 (docs/records.md; target 2.0 squared error per test image):
configs/hinton2006_cosine.py trained on the pixels' binary cross-entropy
(`optim.reconstruction_loss='bce'`), the loss Hinton & Salakhutdinov trained MNIST's
deep autoencoder on, in place of their squared error. Cross-entropy keeps a pixel's
gradient large where a sigmoid saturates near 0 or 1, where most of MNIST's pixels
are. Validation, the raw-or-average choice and the record itself still measure squared
error.
"""

from configs import hinton2006_cosine


def get_config():
  config = hinton2006_cosine.get_config()
  config.optim.reconstruction_loss = 'bce'
  return config
