"""python main.py --config=configs/fashion10_perceptual_heavier.py --workdir=runs/fashion10_perceptual_heavier

Fashion-MNIST 10-unit record, attempt 10 (docs/records.md; targets test MSE 0.0100 and
class fidelity 0.85): attempt 9 (configs/fashion10_perceptual_part.py, the perceptual
term on half of each batch, 180 epochs) with a larger perceptual weight. Four runs at
weight 0.0003 all stopped at fidelity 0.83 while holding the squared-error target by
1.9-2.8%, so this spends that margin: the weight is the largest whose predicted
full-length validation MSE still holds the target (the rule is in docs/records.md,
written before the run). Class fidelity is still read by configs/cnn_fashion_judge.py.
"""

from configs import fashion10_perceptual_part


def get_config():
  config = fashion10_perceptual_part.get_config()
  config.optim.perceptual_weight = 0.0004
  return config
