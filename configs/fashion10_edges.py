"""python main.py --config=configs/fashion10_edges.py --workdir=runs/fashion10_edges

Fashion-MNIST 10-unit record (docs/records.md): configs/fashion10_labels.py with an
edge term in what training minimises (`optim.edge_weight` 0.5: the squared error of
neighbouring pixels' differences, jax_ae/models/objective.py), which pays for the thin lines
(zip, collar, buttons) that tell a coat from a pullover, and 25 epochs rather than 20.
The reported loss stays the plain squared error; the test split is read once, by
`--mode=evaluate`. Its figures are in docs/records.md.
"""

from configs import fashion10_labels


def get_config():
  config = fashion10_labels.get_config()
  config.optim.edge_weight = 0.5
  config.num_epochs = 25
  return config
