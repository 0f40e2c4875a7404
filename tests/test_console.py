"""console.py: the progress line and bar on a fake clock, and reading --verbosity early."""

import io
import logging

import pytest

from jax_ae.workdir import console


class _FakeClock:
  def __init__(self):
    self.now = 100.0

  def __call__(self):
    return self.now


def _progress(on_terminal, interval=30.0):
  clock, stream = _FakeClock(), io.StringIO()
  progress = console.Progress(steps_per_epoch=1000, num_epochs=3, stream=stream,
                              interval=interval, clock=clock, on_terminal=on_terminal)
  return progress, clock, stream


def test_plain_line_every_interval_with_rate_and_time_left():
  progress, clock, stream = _progress(on_terminal=False)
  epoch = console.EpochProgress(progress, 2)
  epoch.update(100)  # the first finished call: the rate's origin, nothing shown yet
  clock.now += 10
  epoch.update(300)
  assert stream.getvalue() == ''  # 10 s since the epoch began, the interval is 30
  clock.now += 20
  epoch.update(700)  # 600 steps in 30 s since the first call: 20 steps/s
  clock.now += 5
  epoch.update(800)  # 5 s after the last line: not shown
  epoch.finish()
  # 300 steps left in the epoch at 20/s, then one more epoch of 1000.
  assert stream.getvalue() == ('epoch 2/3  step 700/1000 (70%)  20.0 steps/s  epoch left 15 s  '
                               'run left 65 s\n')
  assert '\r' not in stream.getvalue()


def test_the_first_line_of_an_epoch_has_no_rate_before_a_second_call():
  progress, clock, stream = _progress(on_terminal=False, interval=1.0)
  epoch = console.EpochProgress(progress, 1)
  clock.now += 40  # compilation: the first call returns late
  epoch.update(100)
  assert stream.getvalue() == 'epoch 1/3  step 100/1000 (10%)\n'


def test_the_bar_is_redrawn_in_place_and_cleared_at_the_end():
  progress, clock, stream = _progress(on_terminal=True)
  epoch = console.EpochProgress(progress, 3)
  epoch.update(0)
  clock.now += 1
  epoch.update(500)
  clock.now += 1
  epoch.update(1000)
  drawn = stream.getvalue()
  assert drawn.count('\r') == 2 and '\n' not in drawn
  assert drawn.endswith('[####################] epoch 3/3  step 1000/1000 (100%)  500.0 steps/s  '
                        'epoch left 0 s  run left 0 s')
  epoch.finish()
  assert stream.getvalue().endswith('\r' + ' ' * len(drawn.split('\r')[-1]) + '\r')


@pytest.mark.parametrize('argv, verbosity', [
    (['main.py'], 0), (['main.py', '--verbosity=1'], 1), (['main.py', '-v', '2'], 2),
    (['main.py', '--v=-1'], -1), (['main.py', '--verbosity=x'], 0),
    (['main.py', '--verbosity'], 0)])
def test_verbosity_is_read_before_absl_parses_it(argv, verbosity):
  assert console.verbosity_in(argv) == verbosity


def test_console_formatter_names_other_libraries_warnings():
  formatter = console._ConsoleFormatter()  # pylint: disable=protected-access
  record = logging.LogRecord('absl', logging.WARNING, '/site-packages/orbax/x.py', 1,
                             'disk is slow', None, None)
  assert formatter.format(record) == 'warning (x): disk is slow'
  record = logging.LogRecord('absl', logging.INFO, console.__file__, 1, 'epoch 1/5', None, None)
  assert formatter.format(record) == 'epoch 1/5'



def test_an_epoch_is_one_line_with_every_figure_of_its_row(caplog):
  row = {'epoch': 2, 'train_loss': 0.5, 'val_loss': 0.25, 'test_loss': 0.125,
         'train_accuracy': 0.75, 'val_accuracy': 0.8, 'test_accuracy': 0.875,
         'learning_rate': 1e-3, 'grad_norm': 0.5, 'epoch_seconds': 2.0,
         'examples_per_second': 100.0}
  with caplog.at_level(logging.INFO):
    console.log_epoch(row, num_epochs=3)
  assert [record.getMessage() for record in caplog.records] == [
      'epoch 2/3  train_loss 0.50000  val_loss 0.25000  test_loss 0.12500  train_accuracy '
      '0.7500  val_accuracy 0.8000  test_accuracy 0.8750  lr 1.00e-03  grad_norm 0.500  2.0s '
      '(100 examples/s)']


def test_an_epoch_that_measured_no_gradient_norm_leaves_it_out(caplog):
  row = {'epoch': 2, 'train_loss': 0.5, 'test_loss': 0.125, 'learning_rate': 1e-3,
         'epoch_seconds': 2.0, 'examples_per_second': 100.0}
  with caplog.at_level(logging.INFO):
    console.log_epoch(row, num_epochs=3)
  assert [record.getMessage() for record in caplog.records] == [
      'epoch 2/3  train_loss 0.50000  test_loss 0.12500  lr 1.00e-03  2.0s (100 examples/s)']
