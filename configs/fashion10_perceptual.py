"""python main.py --config=configs/fashion10_perceptual.py --workdir=runs/fashion10_perceptual

Fashion-MNIST 10-unit record, attempt 6 (docs/records.md; targets test MSE 0.0100 and
class fidelity 0.85): configs/fashion10_dense_gelu.py (attempt 4, which met the squared
error target and not the fidelity one) with a perceptual term: training also pays
`optim.perceptual_weight` times the squared error of a frozen classifier's logits on the
reconstruction against those on the image (jax_ae/models/objective.py), so that the decoder
draws what a classifier reads (a collar, a zip) and not only what the pixels' squared
error pays for. The classifier is configs/cnn_fashion_features.py, trained first into
runs/cnn_fashion_features; class fidelity is still read by configs/cnn_fashion_judge.py
(runs/cnn_fashion_judge), which training never sees. The weight was chosen on
validation by a 20-epoch screen, and the epochs cut to what fits the record's hour with
the classifier in every step; both are in docs/records.md. Attempt 6's figures are its
run with --config.seed=1, chosen over seed 0 on validation (docs/records.md).
"""

from configs import fashion10_dense_gelu


def get_config():
  config = fashion10_dense_gelu.get_config()
  config.optim.perceptual_weight = 0.0003
  config.optim.perceptual_workdir = 'runs/cnn_fashion_features'
  # The classifier about doubles a step (20 s an epoch against attempt 4's 9 s): the
  # epochs that fit the hour, with margin.
  config.num_epochs = 150
  return config
