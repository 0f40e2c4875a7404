"""python main.py --config=configs/cnn_fashion_ema.py --workdir=runs/cnn_fashion_ema

Fashion-MNIST classifier record, attempt 4 (docs/records.md): configs/cnn_fashion_wide.py
with a moving average of its weights (`optim.ema_decay` 0.9995, about 2,000 steps or
2.3 epochs), the one change. Its validation accuracy went flat over the last 7 epochs
while the rate fell to 0; an average over that stretch is the cheapest gain such a run
has left. The last epoch tests whichever of the raw and averaged weights is better on
validation (the last 5,000 training images), named in metrics.jsonl's `test_weights`.
"""

from configs import cnn_fashion_wide


def get_config():
  config = cnn_fashion_wide.get_config()
  config.optim.ema_decay = 0.9995
  return config
