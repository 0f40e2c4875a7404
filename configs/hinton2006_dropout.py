"""python main.py --config=configs/hinton2006_dropout.py --workdir=runs/hinton2006_dropout

30-unit record, attempt 6 (docs/records.md; target 2.0 squared error per test image):
configs/hinton2006_cosine.py with dropout after each hidden layer
(`model.dropout_rate` 0.1). Attempts 4 and 5 ended overfitting, their training loss
0.00221 against 0.00273 on validation; dropout is the remedy their notes named.
Squared error, as attempt 4: cross-entropy (attempt 5) bought nothing at the end.
"""

from configs import hinton2006_cosine


def get_config():
  config = hinton2006_cosine.get_config()
  config.model.dropout_rate = 0.1
  return config
