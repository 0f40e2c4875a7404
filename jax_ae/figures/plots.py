"""The run's pictures, drawn with matplotlib (Agg) and returned as PNG bytes.

Each takes a `title` naming the run and its headline figure (run_pictures.title), so
a picture read alone still says what it shows.
"""

import io
from typing import Dict, List, NamedTuple, Sequence

import numpy as np

from jax_ae.datasets.data import IMAGE_SIDE
from jax_ae.figures import pca


class Picture(NamedTuple):
  """A rendered figure: PNG bytes and their size, for files and TensorBoard alike."""

  png: bytes
  height: int
  width: int

  def _repr_png_(self) -> bytes:
    """Jupyter draws a Picture that ends a cell inline."""
    return self.png

  def __repr__(self) -> str:  # not the bytes: a notebook keeps the text form beside the image
    return f'Picture({self.width}x{self.height} PNG, {len(self.png)} bytes)'


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


def _plain_log_ticks(axis) -> None:
  """Log-scale y ticks as plain numbers (0.035, not 3.5x10^-2).

  matplotlib's LogFormatter still decides which minor ticks get a label (fewer as
  the axis spans more decades); only how a number is written changes.
  """
  from matplotlib import ticker  # pylint: disable=g-import-not-at-top

  class PlainLogFormatter(ticker.LogFormatter):
    def _num_to_string(self, x, vmin, vmax):
      if vmax > 10 * vmin:  # ticks at 1, 2, 5 x 10^k: three digits tell them apart
        return f'{x:.3g}'
      # Within a decade the ticks are evenly spaced: as many decimals as their spacing needs.
      decimals = max(0, int(np.ceil(-np.log10((vmax - vmin) / 10))) + 1)
      return f'{x:.{decimals}f}'.rstrip('0').rstrip('.')

  axis.yaxis.set_major_formatter(PlainLogFormatter(labelOnlyBase=False))
  axis.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False))


def pick_examples(split: Dict[str, np.ndarray], count: int) -> Dict[str, np.ndarray]:
  """The first example of each class in label order, then the next ones, `count` in all."""
  labels = split['label']
  first_of_class = [int(np.argmax(labels == label)) for label in np.unique(labels)]
  taken = set(first_of_class)
  rest = [index for index in range(len(labels)) if index not in taken]
  chosen = (first_of_class + rest[:max(0, count - len(first_of_class))])[:count]
  return {name: array[chosen] for name, array in split.items()}


def reconstructions_png(shown: Dict[str, np.ndarray], reconstructions: np.ndarray,
                        title: str = '') -> Picture:
  """Originals (top row) above their reconstructions (bottom row), like the notebook's."""
  plt = _pyplot()
  count = shown['image'].shape[0]
  figure, axes = plt.subplots(2, count, figsize=(max(count, 4), 2.7), squeeze=False)
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
  figure.suptitle(title, fontsize=9)
  figure.tight_layout()
  return _render(figure)


def loss_curve_png(metrics: List[Dict[str, float]],
                   loss_description: str = 'mean squared error per pixel',
                   title: str = '') -> Picture:
  """Train, validation (where held out) and test loss per epoch, log scale (losses span
  orders of magnitude).

  Runs that record accuracy (classifiers) get a second panel with it. Whole epochs on
  the x axis, half an epoch of margin, so a one-epoch run is a point, not an axis from
  0.96 to 1.04.
  """
  plt = _pyplot()
  from matplotlib import ticker  # pylint: disable=g-import-not-at-top
  with_accuracy = bool(metrics) and 'train_accuracy' in metrics[0]
  figure, axes = plt.subplots(1, 2 if with_accuracy else 1, figsize=(11 if with_accuracy else 6, 4),
                              squeeze=False)
  epochs = [row['epoch'] for row in metrics]
  panels = [('loss', loss_description, 'log')]
  if with_accuracy:
    panels.append(('accuracy', 'accuracy', 'linear'))
  marker = 'o' if len(epochs) < 20 else '.'
  for axis, (name, label, scale) in zip(axes[0], panels):
    axis.plot(epochs, [row[f'train_{name}'] for row in metrics], marker=marker, label='train')
    for split, split_name in (('val', 'validation'), ('test', 'test')):
      # A run with a validation split has its test figure at the last epoch only.
      points = [(row['epoch'], row[f'{split}_{name}']) for row in metrics
                if row.get(f'{split}_{name}') is not None]
      if points:
        axis.plot(*zip(*points), marker='o' if len(points) == 1 else marker, label=split_name)
    axis.set_xlabel('epoch')
    axis.set_ylabel(label)
    axis.set_yscale(scale)
    if scale == 'log':
      _plain_log_ticks(axis)
    if epochs:
      margin = max(0.5, 0.02 * (epochs[-1] - epochs[0]))
      axis.set_xlim(epochs[0] - margin, epochs[-1] + margin)
    axis.xaxis.set_major_locator(ticker.MaxNLocator(integer=True, min_n_ticks=1))
    axis.grid(True, which='both', alpha=0.3)
    axis.legend()
  figure.suptitle(title, fontsize=10)
  figure.tight_layout()
  return _render(figure)


# diagnostics.png's panels: (key prefix, what it shows, y scale); see diagnostics.py.
DIAGNOSTICS_PANELS = (
    ('dead_relu_fraction', 'dead ReLU units (fraction)', 'linear'),
    ('bn_min_variance', 'BatchNorm: smallest batch variance', 'log'),
    ('bn_min_running_variance', 'BatchNorm: smallest running variance', 'log'),
    ('bn_max_abs_output', 'BatchNorm: largest |output| (train)', 'log'),
    ('grad_norm', 'gradient norm', 'log'),
    ('update_ratio', '|update| / |parameters|', 'log'),
)


def diagnostics_png(rows: List[Dict[str, float]], title: str = '') -> Picture:
  """diagnostics.jsonl drawn against the step: one panel per measure, one line per layer.

  Panels a model has nothing for (BatchNorm in V1) stay empty, saying so. A sigmoid
  code's saturation shares the first panel, dashed. Log panels drop zeros (a variance
  of exactly 0 is a gap in its line).
  """
  plt = _pyplot()
  figure, axes = plt.subplots(2, 3, figsize=(15, 7.5), squeeze=False)
  steps = [row['step'] for row in rows]
  names = sorted({name for row in rows for name in row})
  for axis, (prefix, label, scale) in zip(axes.flat, DIAGNOSTICS_PANELS):
    series = [name for name in names if name.startswith(prefix + '/')]
    for name in series:
      axis.plot(steps, [row.get(name, np.nan) for row in rows], label=name[len(prefix) + 1:])
    if prefix == 'dead_relu_fraction' and 'code_saturation' in names:
      axis.plot(steps, [row.get('code_saturation', np.nan) for row in rows], '--',
                label='sigmoid code saturated')
      series.append('code_saturation')
    axis.set_title(label, fontsize=10)
    axis.set_xlabel('step')
    if not series:
      axis.text(0.5, 0.5, 'none in this model', ha='center', va='center',
                transform=axis.transAxes, color='gray')
      continue
    axis.set_yscale(scale, **({'nonpositive': 'mask'} if scale == 'log' else {}))
    axis.grid(True, which='both', alpha=0.3)
    axis.legend(fontsize=6)
  figure.suptitle(title, fontsize=10)
  figure.tight_layout()
  return _render(figure)


def confusion_matrix_png(confusion: np.ndarray, class_names: Sequence[str],
                         title: str = '') -> Picture:
  """Counts of (true class, predicted class) on the test split, class names on both axes."""
  plt = _pyplot()
  confusion = np.asarray(confusion, dtype=np.int64)
  num_classes = len(class_names)
  figure, axis = plt.subplots(figsize=(7.5, 6.5))
  # Log colours: the diagonal holds ~1000 per class, the mistakes worth seeing are tens.
  image = axis.imshow(np.log1p(confusion), cmap='Blues')
  threshold = np.log1p(confusion).max() / 2
  for true in range(num_classes):
    for predicted in range(num_classes):
      count = confusion[true, predicted]
      axis.text(predicted, true, str(count), ha='center', va='center', fontsize=7,
                color='white' if np.log1p(count) > threshold else 'black')
  axis.set_xticks(range(num_classes), class_names, rotation=45, ha='right', fontsize=8)
  axis.set_yticks(range(num_classes), class_names, fontsize=8)
  axis.set_xlabel('predicted class')
  axis.set_ylabel('true class')
  accuracy = np.trace(confusion) / max(confusion.sum(), 1)
  axis.set_title(f'{title}\ntest split: {confusion.sum()} images, accuracy {accuracy:.4f}'
                 if title else f'test split: {confusion.sum()} images, accuracy {accuracy:.4f}',
                 fontsize=9)
  figure.colorbar(image, ax=axis, label='log(1 + count)')
  figure.tight_layout()
  return _render(figure)


def misclassified_png(images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray,
                      class_names: Sequence[str], title: str = '') -> Picture:
  """Test images the classifier got wrong, each titled predicted (confidence) / true."""
  plt = _pyplot()
  count = max(images.shape[0], 1)
  columns = min(count, 8)
  rows = -(-count // columns)
  figure, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 2.2 * rows), squeeze=False)
  for index, axis in enumerate(axes.flat):
    axis.set_xticks([])
    axis.set_yticks([])
    if index >= images.shape[0]:
      axis.axis('off')
      continue
    predicted = int(probabilities[index].argmax())
    axis.imshow(images[index].reshape(IMAGE_SIDE, IMAGE_SIDE), cmap='gray', vmin=0.0, vmax=1.0)
    axis.set_title(f'{class_names[predicted]} ({probabilities[index, predicted]:.2f})\n'
                   f'true: {class_names[int(labels[index])]}', fontsize=7)
  figure.suptitle(f'{title}\nmost confident mistakes: predicted (probability) / true'
                  if title else 'most confident mistakes: predicted (probability) / true',
                  fontsize=9)
  figure.tight_layout()
  return _render(figure)


def latent_png(codes: np.ndarray, labels: np.ndarray, class_names: Sequence[str],
               title: str = '') -> Picture:
  """The codes projected onto their first two principal axes, one colour per class."""
  plt = _pyplot()
  points = np.asarray(pca.project(pca.fit(codes, 2), codes))
  if points.shape[1] == 1:  # a 1-unit code: its values along the x axis
    points = np.concatenate([points, np.zeros_like(points)], axis=1)
  figure, axis = plt.subplots(figsize=(7, 6))
  colours = plt.get_cmap('tab10')
  for label, name in enumerate(class_names):
    chosen = labels == label
    axis.scatter(points[chosen, 0], points[chosen, 1], s=2, alpha=0.5, color=colours(label),
                 label=name)
  axis.set_xlabel('code principal axis 1')
  axis.set_ylabel('code principal axis 2')
  axis.legend(markerscale=5, fontsize=8, loc='best')
  subtitle = f'test codes ({codes.shape[1]} units) projected to 2-D'
  axis.set_title(f'{title}\n{subtitle}' if title else subtitle, fontsize=9)
  figure.tight_layout()
  return _render(figure)


def per_class_png(per_class: List[Dict[str, float]], title: str = '') -> Picture:
  """Per class: test MSE (bars) and class fidelity (dots), to show which classes fail.

  Without a classifier (every class_fidelity None) the right axis says so.
  """
  plt = _pyplot()
  names = [row['class'] for row in per_class]
  figure, mse_axis = plt.subplots(figsize=(8, 4))
  positions = np.arange(len(names))
  mse_axis.bar(positions, [row['test_mse'] or 0.0 for row in per_class], color='tab:blue')
  mse_axis.set_ylabel('test MSE per pixel', color='tab:blue')
  mse_axis.set_xticks(positions, names, rotation=45, ha='right', fontsize=8)
  mse_axis.set_xlabel('class (test split)')
  fidelity_axis = mse_axis.twinx()
  fidelity_axis.plot(positions, [np.nan if row['class_fidelity'] is None else row['class_fidelity']
                                 for row in per_class], 'o',
                     color='tab:red')
  no_classifier = all(row['class_fidelity'] is None for row in per_class)
  fidelity_axis.set_ylabel('class fidelity (no classifier)' if no_classifier else
                           'class fidelity: reconstructions classified right', color='tab:red')
  fidelity_axis.set_ylim(0.0, 1.02)
  mse_axis.set_title(title, fontsize=9)
  figure.tight_layout()
  return _render(figure)


def results_png(rows: List, title: str = '') -> Picture:
  """One row of images per (label, [count, 784] images): originals, then each run's."""
  plt = _pyplot()
  count = rows[0][1].shape[0]
  figure, axes = plt.subplots(len(rows), count, figsize=(count * 0.9 + 2.5, len(rows) + 0.5),
                              squeeze=False)
  for row, (name, images) in enumerate(rows):
    for column in range(count):
      axis = axes[row, column]
      axis.imshow(np.clip(images[column].reshape(IMAGE_SIDE, IMAGE_SIDE), 0.0, 1.0), cmap='gray',
                  vmin=0.0, vmax=1.0)
      axis.set_xticks([])
      axis.set_yticks([])
    axes[row, 0].set_ylabel(name, fontsize=7, rotation=0, ha='right', va='center')
  figure.suptitle(title, fontsize=9)
  figure.tight_layout()
  return _render(figure)
