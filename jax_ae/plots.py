"""The run's pictures, drawn with matplotlib (Agg) and returned as PNG bytes."""

import io
from typing import Dict, List, NamedTuple

import numpy as np

IMAGE_SIDE = 28


class Picture(NamedTuple):
  """A rendered figure: PNG bytes and their size, for files and TensorBoard alike."""

  png: bytes
  height: int
  width: int


def _render(figure) -> Picture:
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  buffer = io.BytesIO()
  figure.savefig(buffer, format='png', dpi=100)
  width, height = (int(round(side)) for side in figure.get_size_inches() * 100)
  plt.close(figure)
  return Picture(buffer.getvalue(), height, width)


def _pyplot():
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use('Agg')
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  return plt


def pick_examples(split: Dict[str, np.ndarray], count: int) -> Dict[str, np.ndarray]:
  """The first example of each class in label order, then the next ones, `count` in all."""
  labels = split['label']
  first_of_class = [int(np.argmax(labels == label)) for label in np.unique(labels)]
  taken = set(first_of_class)
  rest = [index for index in range(len(labels)) if index not in taken]
  chosen = (first_of_class + rest[:max(0, count - len(first_of_class))])[:count]
  return {name: array[chosen] for name, array in split.items()}


def reconstructions_png(shown: Dict[str, np.ndarray], reconstructions: np.ndarray) -> Picture:
  """Originals (top row) above their reconstructions (bottom row), like the notebook's."""
  plt = _pyplot()
  count = shown['image'].shape[0]
  figure, axes = plt.subplots(2, count, figsize=(max(count, 2), 2.3), squeeze=False)
  for column in range(count):
    for row, images in enumerate((shown['image'], reconstructions)):
      axis = axes[row, column]
      axis.imshow(np.clip(images[column].reshape(IMAGE_SIDE, IMAGE_SIDE), 0.0, 1.0),
                  cmap='gray', vmin=0.0, vmax=1.0)
      axis.set_xticks([])
      axis.set_yticks([])
    axes[0, column].set_title(str(shown['label'][column]), fontsize=8)
  axes[0, 0].set_ylabel('original', fontsize=8)
  axes[1, 0].set_ylabel('reconstruction', fontsize=8)
  figure.tight_layout()
  return _render(figure)


def loss_curve_png(metrics: List[Dict[str, float]]) -> Picture:
  """Train and test loss per epoch, log scale (losses span orders of magnitude)."""
  plt = _pyplot()
  figure, axis = plt.subplots(figsize=(6, 4))
  epochs = [row['epoch'] for row in metrics]
  axis.plot(epochs, [row['train_loss'] for row in metrics], marker='.', label='train')
  axis.plot(epochs, [row['test_loss'] for row in metrics], marker='.', label='test')
  axis.xaxis.get_major_locator().set_params(integer=True)
  axis.set_xlabel('epoch')
  axis.set_ylabel('mean squared error per pixel')
  axis.set_yscale('log')
  axis.grid(True, which='both', alpha=0.3)
  axis.legend()
  figure.tight_layout()
  return _render(figure)
