"""python main.py --config=configs/mnist10_dense_decay.py --workdir=runs/mnist10_dense_decay

MNIST-10 record, attempt 4 (docs/records.md; targets test MSE 0.0080 and class fidelity
0.98): configs/mnist10_dense.py with six times its weight decay (`optim.weight_decay`
0.3 per unit of learning rate, AdamW). Attempt 3 fitted its training images far better
than validation (0.0058 against 0.0085) and its moving average was best on validation
halfway through the run: it overfitted, and decay is the regulariser that adds no noise
to the 10-unit code (dropout cost the 30-unit network 60%).
"""

from configs import mnist10_dense


def get_config():
  config = mnist10_dense.get_config()
  config.optim.weight_decay = 0.3
  return config
