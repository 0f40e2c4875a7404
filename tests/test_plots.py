"""plots.py: every picture is titled, loss ticks read as plain numbers, short runs look sane."""

import numpy as np
import pytest

from jax_ae.figures import plots
from jax_ae.figures import run_pictures
from jax_ae.models import tasks
from tests.helpers import tiny_config

TITLE = 'v1 on mnist, epoch 1: test MSE 0.0343'


@pytest.fixture
def drawn(monkeypatch):
  """The matplotlib figures the plots functions draw, kept open for inspection."""
  figures = []
  monkeypatch.setattr(plots, '_render', lambda figure: figures.append(figure) or figure)
  yield figures
  import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
  for figure in figures:
    plt.close(figure)


def _texts(figure):
  """Every title, suptitle and axis label of the figure."""
  texts = [figure._suptitle.get_text()] if figure._suptitle else []  # pylint: disable=protected-access
  for axis in figure.axes:
    texts += [axis.get_title(), axis.get_xlabel(), axis.get_ylabel()]
  return [text for text in texts if text]


def test_a_one_epoch_loss_curve_has_plain_ticks_and_one_integer_epoch(drawn):
  plots.loss_curve_png([{'epoch': 1, 'train_loss': 0.0356, 'test_loss': 0.0343}], title=TITLE)
  figure = drawn[0]
  figure.canvas.draw()  # the tick labels exist once drawn
  axis = figure.axes[0]
  assert TITLE in _texts(figure)
  assert axis.get_xlim() == (0.5, 1.5)
  assert [tick for tick in axis.get_xticks() if 0.5 <= tick <= 1.5] == [1.0]
  labels = [label.get_text() for label in
            axis.get_yticklabels(which='both') if label.get_text()]
  assert labels, 'the y axis has no labelled tick'
  for label in labels:
    assert '$' not in label and '10^' not in label and 'e-' not in label
    float(label)  # a plain number


def test_a_long_loss_curve_spanning_decades_still_has_plain_ticks(drawn):
  metrics = [{'epoch': epoch, 'train_loss': 0.2 * epoch ** -1.5, 'test_loss': 0.2 * epoch ** -1.4}
             for epoch in range(1, 51)]
  plots.loss_curve_png(metrics, title=TITLE)
  drawn[0].canvas.draw()
  labels = [label.get_text() for label in drawn[0].axes[0].get_yticklabels(which='both')
            if label.get_text()]
  assert {'0.1', '0.01', '0.001'} <= set(labels)


def test_a_run_with_a_validation_split_draws_its_test_figure_as_one_point(drawn):
  metrics = [{'epoch': epoch, 'train_loss': 0.05 / epoch, 'val_loss': 0.06 / epoch}
             for epoch in (1, 2, 3)]
  metrics[-1]['test_loss'] = 0.019
  plots.loss_curve_png(metrics, 'squared error', title=TITLE)
  assert drawn[0].axes[0].get_ylabel() == 'squared error'
  lines = {line.get_label(): line for line in drawn[0].axes[0].get_lines()}
  assert set(lines) == {'train', 'validation', 'test'}
  assert list(lines['validation'].get_xdata()) == [1, 2, 3]
  assert list(lines['test'].get_xdata()) == [3] and list(lines['test'].get_ydata()) == [0.019]


def test_every_picture_of_a_run_is_titled_with_the_run_and_its_headline(drawn):
  config = tiny_config('v1')
  title = run_pictures.title(config, 'epoch 3',
                              tasks.RECONSTRUCT.headline({'test_loss': np.float32(0.03431)}))
  assert title == 'v1 on mnist, epoch 3: test MSE 0.0343'
  classifier = tiny_config('cnn')
  assert tasks.CLASSIFY.headline({'test_loss': 0.3, 'test_accuracy': 0.91234}) == (
      'test accuracy 0.9123')
  # An epoch of a run with a validation split, before its last: the test split is unread.
  assert run_pictures.title(classifier, 'epoch 2', tasks.CLASSIFY.headline(
      {'val_loss': 0.3, 'val_accuracy': 0.9})) == 'cnn on mnist, epoch 2: val accuracy 0.9000'
  images = np.zeros((4, 784), np.float32)
  shown = {'image': images, 'label': np.arange(4)}
  names = [str(digit) for digit in range(10)]
  plots.reconstructions_png(shown, images, title)
  plots.confusion_matrix_png(np.eye(10) * 5, names, title)
  plots.misclassified_png(images, np.arange(4), np.full((4, 10), 0.1), names, title)
  plots.latent_png(np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 10, names,
                   title)
  plots.results_png([('mnist original', images), ('v1', images)], title)
  for figure in drawn:
    assert any(title in text for text in _texts(figure)), _texts(figure)


def test_per_class_labels_both_axes_and_says_when_there_is_no_classifier(drawn):
  rows = [{'class': str(digit), 'count': 5, 'test_mse': 0.01, 'class_fidelity': None}
          for digit in range(10)]
  plots.per_class_png(rows, TITLE)
  texts = _texts(drawn[0])
  assert TITLE in texts and 'class (test split)' in texts and 'test MSE per pixel' in texts
  assert 'class fidelity (no classifier)' in texts


def test_a_picture_shows_itself_in_a_notebook():
  picture = plots.results_png([('original', np.zeros((3, 784), np.float32))], TITLE)
  assert picture._repr_png_() == picture.png and picture.png.startswith(b'\x89PNG')
  assert len(repr(picture)) < 80  # the text form a notebook also keeps: not the bytes
