"""The PyTorch research runs behind docs/notebook.md's tables, one command per table.

    pip install -e '.[twin]'    # torch==2.13.0; CPU build: --extra-index-url https://download.pytorch.org/whl/cpu
    python -m research.notebook_torch --table=v1 --data_dir=DIR/mnist   # V1's table: 80 s
    python -m research.notebook_torch --table=v2 --data_dir=DIR/mnist   # V2's table: 80 s
    python -m research.notebook_torch --table=v3 --data_dir=DIR/mnist   # V3's probes: 50 s
    python -m research.notebook_torch --table=v5 --data_dir=DIR/mnist   # V5, 4 rates, to 40 epochs: 4 min
    python -m research.notebook_torch --table=v5_batchnorms --data_dir=DIR/mnist   # 15 s

DIR/mnist is a folder holding MNIST's four IDX .gz files (docs/workdir.md).

(Times on one core of a 2-core CPU machine.)

Each prints its table in the page's Markdown, then the page's other figures from the same
runs. The setup is the page's: the notebook's own nn.Sequential models
(`notebook_model`; V1/V2 at a width H the rows name), PyTorch's default
initialisation under torch.manual_seed(seed), one CPU thread, pixels in [0, 1]. An epoch
is 1000 batches of 32 from a fresh permutation of the first 32,000 training images (of
all 60,000, 1875 batches, where a row says so); the loss is MSELoss() (mean over batch and
pixels); test losses are over the 10,000 test images in eval mode.

The permutations come from a torch.Generator of their own, seeded with the same seed, so
a row's batches do not depend on the size of its model: H=64 and H=128 train on the same
images. The page's figures were made that way: its first-batch losses come out so and not
with the global generator, numpy or a DataLoader.
"""

import copy
import dataclasses
import gzip
import math
import pathlib
import statistics
import sys
import time

from absl import app
from absl import flags
from absl import logging
import numpy as np

FLAGS = flags.FLAGS

TABLES = ('v1', 'v2', 'v3', 'v5', 'v5_batchnorms')
BATCH_SIZE = 32  # the notebook's
SUBSET_SIZE = 32_000  # "1000 batches of 32 elements"
IMAGE_PIXELS = 784
TINY_VARIANCE = 1e-6  # a BatchNorm feature below it is divided by about sqrt(eps) in eval mode
V5_BATCHNORMS = ('input', 'Linear(784,128)', 'ReLU (64)', 'ReLU (32)', 'code Linear(32,16)',
                 'decoder ReLU (32)', 'decoder ReLU (64)', 'decoder ReLU (128)')
V5_DECODER_BATCHNORMS = slice(5, 8)


@dataclasses.dataclass(frozen=True)
class Run:
  """The settings of one training run; a table row names those that differ from the page's."""
  version: str
  optimizer: str  # 'sgd' (plain torch.optim.SGD) or 'adam' (torch.optim.Adam, default betas)
  learning_rate: float
  hidden: int = 64  # V1/V2's width H; the other versions ignore it
  seed: int = 0
  zero_biases: bool = False  # Linear biases set to 0 after PyTorch's default initialisation
  train_images: int = SUBSET_SIZE  # the first this many training images
  epochs: int = 5


@dataclasses.dataclass(frozen=True)
class Row:
  """A table row: its label, its run, and the cells the page sets in bold."""
  label: str
  run: Run
  epochs: tuple = ()  # V5: the epochs the row shows
  bold: frozenset = frozenset()  # (column, epoch) pairs; epoch None for every epoch of the row


def _linear_rows(version: str, rows) -> list:
  return [Row(label, Run(version, **settings), bold=frozenset(bold))
          for label, settings, bold in rows]


_FIFTH_BOLD = {('train', 5)}
TABLE_ROWS = {
    'v1': _linear_rows('v1', [
        ('SGD 0.1, H=64', dict(optimizer='sgd', learning_rate=0.1), _FIFTH_BOLD),
        ('SGD 0.1, H=64, seed 1', dict(optimizer='sgd', learning_rate=0.1, seed=1), _FIFTH_BOLD),
        ('SGD 0.05, H=128', dict(optimizer='sgd', learning_rate=0.05, hidden=128), _FIFTH_BOLD),
        ('SGD 0.1, H=128', dict(optimizer='sgd', learning_rate=0.1, hidden=128), ()),
        ('SGD 0.1, H=64, zero biases', dict(optimizer='sgd', learning_rate=0.1, zero_biases=True),
         _FIFTH_BOLD),
        ('SGD 0.1, H=128, zero biases',
         dict(optimizer='sgd', learning_rate=0.1, hidden=128, zero_biases=True), ()),
        ('SGD 0.1, H=128, full 60,000 per epoch (1875 steps)',
         dict(optimizer='sgd', learning_rate=0.1, hidden=128, train_images=60_000), ()),
        ('SGD 0.1, H=512', dict(optimizer='sgd', learning_rate=0.1, hidden=512), ()),
        ('Adam 1e-3, H=64', dict(optimizer='adam', learning_rate=1e-3), ()),
        ('Adam 1e-2, H=128', dict(optimizer='adam', learning_rate=1e-2, hidden=128),
         {('train', 4)}),
    ]),
    'v2': _linear_rows('v2', [
        ('SGD 0.1, H=64', dict(optimizer='sgd', learning_rate=0.1), _FIFTH_BOLD),
        ('SGD 0.1, H=64, seed 1', dict(optimizer='sgd', learning_rate=0.1, seed=1), _FIFTH_BOLD),
        ('SGD 0.1, H=64, zero biases', dict(optimizer='sgd', learning_rate=0.1, zero_biases=True),
         _FIFTH_BOLD),
        ('SGD 0.05, H=128', dict(optimizer='sgd', learning_rate=0.05, hidden=128), _FIFTH_BOLD),
        ('SGD 0.1, H=128', dict(optimizer='sgd', learning_rate=0.1, hidden=128), ()),
        ('SGD 0.1, H=128, full 60,000 per epoch',
         dict(optimizer='sgd', learning_rate=0.1, hidden=128, train_images=60_000), ()),
        ('SGD 0.1, H=512', dict(optimizer='sgd', learning_rate=0.1, hidden=512), ()),
        ('Adam 1e-3, H=64', dict(optimizer='adam', learning_rate=1e-3), ()),
        ('Adam 1e-3, H=128', dict(optimizer='adam', learning_rate=1e-3, hidden=128), ()),
        ('Adam 1e-2, H=128', dict(optimizer='adam', learning_rate=1e-2, hidden=128), ()),
    ]),
}

_V5_ADAM_1E3 = Run('v5', 'adam', 1e-3, epochs=3)
_V5_ADAM_1E2 = Run('v5', 'adam', 1e-2, epochs=6)
_V5_SGD = Run('v5', 'sgd', 0.1, epochs=40)
_V5_ADAM_3E3 = Run('v5', 'adam', 3e-3, epochs=40)
_EVAL_BOLD = frozenset({('eval', None)})
TABLE_ROWS['v5'] = [
    Row('Adam 1e-3', _V5_ADAM_1E3, (1, 2, 3)),
    Row('Adam 1e-2', _V5_ADAM_1E2, (1, 2, 3), _EVAL_BOLD),
    Row('Adam 1e-2', _V5_ADAM_1E2, (4, 5, 6), _EVAL_BOLD),
    Row('SGD 0.1', _V5_SGD, (1, 2, 3)),
    Row('SGD 0.1', _V5_SGD, (4, 5, 6), frozenset({('train', 6)})),
    Row('SGD 0.1 (40-epoch run)', _V5_SGD, (10, 20, 30, 40)),
    Row('Adam 3e-3', _V5_ADAM_3E3, (1, 2, 3), _EVAL_BOLD),
    Row('Adam 3e-3', _V5_ADAM_3E3, (4, 5, 6), _EVAL_BOLD),
    Row('Adam 3e-3', _V5_ADAM_3E3, (10, 20, 30, 40), _EVAL_BOLD),
]


@dataclasses.dataclass(frozen=True)
class Probe:
  """A V3 row: the run's state after `steps` updates, and the batch losses it averages."""
  run: Run
  steps: int
  steps_label: str
  window: tuple  # (first, last) update, 1-based and inclusive; (1, 1) is the first batch
  window_label: str
  test_images: int  # the first this many test images
  digits: int = 4
  bold: bool = False


_V3_SGD = Run('v3', 'sgd', 0.1, epochs=1)
_V3_ADAM = Run('v3', 'adam', 1e-3, epochs=1)
V3_PROBES = (
    Probe(_V3_SGD, 0, '0 (init)', (1, 1), 'first batch', 2000),
    Probe(_V3_SGD, 200, '200', (1, 200), 'steps 1-200', 2000),
    Probe(_V3_SGD, 400, '400', (201, 400), '201-400', 2000),
    Probe(_V3_SGD, 600, '600', (401, 600), '401-600', 10_000, digits=5),
    Probe(_V3_SGD, 1000, '1000 (one epoch)', (801, 1000), '801-1000', 2000, bold=True),
    Probe(_V3_ADAM, 300, '300', (1, 300), 'mean of steps 1-300', 10_000),
)


def read_idx_images(path: pathlib.Path) -> np.ndarray:
  """The images of an IDX .gz file: [n, 784] float32 in [0, 1]."""
  with gzip.open(path, 'rb') as idx:
    header = np.frombuffer(idx.read(16), '>u4')
    pixels = np.frombuffer(idx.read(), np.uint8)
  assert header[0] == 2051 and tuple(header[2:]) == (28, 28), header
  return pixels.reshape(header[1], IMAGE_PIXELS).astype(np.float32) / 255


def load_mnist(data_dir: str, torch):
  """MNIST's training and test images as tensors: [60000, 784] and [10000, 784] float32."""
  folder = pathlib.Path(data_dir)
  paths = [folder / f'{split}-images-idx3-ubyte.gz' for split in ('train', 't10k')]
  for path in paths:
    if not path.is_file():
      raise app.UsageError(f'{path} not found: pass --data_dir=DIR, a folder holding MNIST\'s '
                           'four IDX .gz files (train-images-idx3-ubyte.gz, ...).')
  return tuple(torch.from_numpy(read_idx_images(path)) for path in paths)


def notebook_model(version: str, torch, hidden: int = 128):
  """The notebook's nn.Sequential for `version`, as it wrote them.

  `hidden` is V1/V2's hidden width H (the notebook's: 128), which the tables vary; the
  other versions ignore it. The same models as benchmarks/torch_reference.py's, which
  tests/test_twin.py checks against jax-ae's; kept here so that this record of what was
  run reads alone.
  """
  nn = torch.nn
  if version in ('v1', 'v2'):
    code = 10
    act = (lambda: nn.Sigmoid()) if version == 'v2' else (lambda: nn.Identity())
    out = nn.Sigmoid() if version == 'v2' else nn.Identity()
    return nn.Sequential(nn.Linear(784, hidden), act(), nn.Linear(hidden, code),
                         nn.Linear(code, hidden), act(), nn.Linear(hidden, 784), out)
  if version == 'v3':
    return nn.Sequential(
        nn.Linear(784, 1500), nn.ReLU(), nn.Linear(1500, 1000), nn.ReLU(),
        nn.Linear(1000, 500), nn.ReLU(), nn.Linear(500, 20), nn.Sigmoid(),
        nn.Linear(20, 500), nn.ReLU(), nn.Linear(500, 1000), nn.ReLU(),
        nn.Linear(1000, 1500), nn.ReLU(), nn.Linear(1500, 784))
  bn = lambda width: nn.BatchNorm1d(width, affine=False)  # noqa: E731
  layers = [bn(784)] if version == 'v5' else []
  layers += [nn.Linear(784, 128), bn(128), nn.Linear(128, 64), nn.ReLU(), bn(64),
             nn.Linear(64, 32), nn.ReLU(), bn(32), nn.Linear(32, 16), nn.BatchNorm1d(16),
             nn.Linear(16, 32), nn.ReLU(), bn(32), nn.Linear(32, 64), nn.ReLU(), bn(64),
             nn.Linear(64, 128), nn.ReLU(), bn(128), nn.Linear(128, 784), nn.ReLU()]
  return nn.Sequential(*layers)


def build(run: Run, torch):
  """The run's freshly initialised model and its optimizer."""
  torch.manual_seed(run.seed)
  model = notebook_model(run.version, torch, hidden=run.hidden)
  if run.zero_biases:
    with torch.no_grad():
      for layer in model:
        if isinstance(layer, torch.nn.Linear):
          layer.bias.zero_()
  optimizers = {'sgd': torch.optim.SGD, 'adam': torch.optim.Adam}
  return model, optimizers[run.optimizer](model.parameters(), lr=run.learning_rate)


def train_steps(model, optimizer, train_images, run: Run, torch):
  """Trains `model` and yields (epoch, step in the epoch, batch loss) after each update.

  The loss is the batch's before its update, so the first one is the untrained model's.
  Between yields the caller may evaluate the model (train mode is set again at each step).
  """
  images = train_images[:run.train_images]
  batches_per_epoch = len(images) // BATCH_SIZE
  shuffle = torch.Generator().manual_seed(run.seed)
  loss_fn = torch.nn.MSELoss()
  for epoch in range(1, run.epochs + 1):
    order = torch.randperm(len(images), generator=shuffle)
    for step in range(batches_per_epoch):
      batch = images[order[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]]
      model.train()
      optimizer.zero_grad()
      loss = loss_fn(model(batch), batch)
      loss.backward()
      optimizer.step()
      yield epoch, step, loss.item()


def train_epochs(model, optimizer, train_images, run: Run, torch):
  """Yields (epoch, that epoch's batch losses) after each epoch."""
  batches_per_epoch = run.train_images // BATCH_SIZE
  batch_losses = []
  for epoch, step, loss in train_steps(model, optimizer, train_images, run, torch):
    batch_losses.append(loss)
    if step == batches_per_epoch - 1:
      yield epoch, batch_losses
      batch_losses = []


def per_image_test_losses(model, test_images, torch):
  """Each test image's MSE in eval mode (running BatchNorm statistics): [n] float32."""
  model.eval()
  with torch.no_grad():
    return ((model(test_images) - test_images) ** 2).mean(dim=1)


def test_loss(model, test_images, torch) -> float:
  """MSE over the test images in eval mode, what model.eval() evaluates with."""
  return per_image_test_losses(model, test_images, torch).mean().item()


def batch_stats_test_loss(model, test_images, torch) -> float:
  """MSE over the test images in batches of 32 in train mode (each batch's own statistics).

  Full batches only (312 of them, 9,984 images): a last batch of 16 would be normalised by
  statistics of another batch size than training's. On a copy, so the test images leave no
  trace in the model's running statistics.
  """
  model = copy.deepcopy(model)
  model.train()
  full_batches = len(test_images) // BATCH_SIZE
  with torch.no_grad():
    batch_losses = [((model(batch) - batch) ** 2).mean().item()
                    for batch in test_images[:full_batches * BATCH_SIZE].split(BATCH_SIZE)]
  return statistics.fmean(batch_losses)


def batchnorms(model, torch) -> list:
  return [layer for layer in model if isinstance(layer, torch.nn.BatchNorm1d)]


def tiny_variance_features(batchnorm) -> int:
  return int((batchnorm.running_var < TINY_VARIANCE).sum())


def format_loss(value: float) -> str:
  """A loss as the page writes it: 4 decimals below 1, 3 digits to 1000, then 12,345 or 5.6e7."""
  if not math.isfinite(value) or value < 1:
    return f'{value:.4f}'
  if value < 1000:
    return f'{value:.3g}'
  if value < 1e6:
    return f'{value:,.0f}'
  mantissa, exponent = f'{value:.1e}'.split('e')
  return f'{mantissa}e{int(exponent)}'


def format_magnitude(value: float) -> str:
  """A variance or an activation: 5.6e-45, 0.029, 17.8, 1,465,823."""
  if value == 0:
    return '0'
  if value < 1e-3:
    mantissa, exponent = f'{value:.1e}'.split('e')
    return f'{mantissa}e{int(exponent)}'
  if value < 100:
    return f'{value:.2g}' if value < 1 else f'{value:.3g}'
  return f'{value:,.0f}'


def _bold(text: str, bold: bool) -> str:
  return f'**{text}**' if bold else text


def _is_bold(row: Row, column: str, epoch: int) -> bool:
  return (column, epoch) in row.bold or (column, None) in row.bold


def linear_table(version: str, train_images, test_images, torch) -> str:
  """V1's or V2's table: first batch, training average per epoch, last batch, test; then
  each row's largest batch loss per epoch, and the loss of an output of 0.5 everywhere."""
  lines = ['| setting | first | train avg per epoch (1 … 5) | last | test |',
           '| --- | --- | --- | --- | --- |']
  notes = ['', 'Largest batch loss per epoch:', '']
  for row in TABLE_ROWS[version]:
    model, optimizer = build(row.run, torch)
    averages, largest = [], []
    for epoch, batch_losses in train_epochs(model, optimizer, train_images, row.run, torch):
      if epoch == 1:
        first = batch_losses[0]
      averages.append(statistics.fmean(batch_losses))
      largest.append(max(batch_losses))
    cells = [_bold(format_loss(average), _is_bold(row, 'train', epoch))
             for epoch, average in enumerate(averages, start=1)]
    lines.append(f'| {row.label} | {format_loss(first)} | {" / ".join(cells)} | '
                 f'{format_loss(batch_losses[-1])} | '
                 f'{format_loss(test_loss(model, test_images, torch))} |')
    notes.append(f'- {row.label}: {" / ".join(map(format_loss, largest))}')
    logging.info('%s', lines[-1])
  # A sigmoid output stuck at 0.5 (V2 untrained) has this loss.
  half_loss = ((train_images[:SUBSET_SIZE] - 0.5) ** 2).mean().item()
  notes += ['', f'E[(x - 0.5)^2] over the first {SUBSET_SIZE:,} training images\' pixels: '
            f'{half_loss:.4f}.']
  return '\n'.join(lines + notes)


def v3_signal(model, images, torch) -> list:
  """[(layer, across-image variance of its output)] at each ReLU, the code and the output.

  The variance is per feature across the images, averaged over the features: how much of
  the input still reaches that point.
  """
  variances = [('pixels', images.var(dim=0).mean().item())]
  with torch.no_grad():
    activations = images
    for index, layer in enumerate(model):
      activations = layer(activations)
      if isinstance(layer, (torch.nn.ReLU, torch.nn.Sigmoid)) or index == len(model) - 1:
        variances.append((f'{index}: {type(layer).__name__}', activations.var(dim=0).mean().item()))
  return variances


def v3_table(train_images, test_images, torch) -> str:
  """V3's probes: windows of the training batch losses, the test loss, the mean image's;
  then, for SGD, how little of the input reaches the output, on the first 2000 test images."""
  mean_image = train_images[:SUBSET_SIZE].mean(dim=0)
  signal_images = test_images[:2000]
  lines = ['| setting | steps | train loss (window) | test | mean image on the same test images |',
           '| --- | --- | --- | --- | --- |']
  notes = ['']
  for run, label in ((_V3_SGD, 'SGD 0.1'), (_V3_ADAM, 'Adam 1e-3')):
    probes = {probe.steps: probe for probe in V3_PROBES if probe.run == run}
    model, optimizer = build(run, torch)
    states = {0: copy.deepcopy(model)}
    batch_losses = []
    for _, step, loss in train_steps(model, optimizer, train_images, run, torch):
      batch_losses.append(loss)
      if step == 0:  # the gradients of the first batch, at initialisation, are still there
        linears = [layer for layer in model if isinstance(layer, torch.nn.Linear)]
        first_gradient_norms = [layer.weight.grad.norm().item()
                                for layer in (linears[0], linears[-1])]
      if step + 1 in probes:
        states[step + 1] = copy.deepcopy(model)
      if step + 1 == max(probes):
        break
    for steps, probe in sorted(probes.items()):
      images = test_images[:probe.test_images]
      window = statistics.fmean(batch_losses[probe.window[0] - 1:probe.window[1]])
      on_images = ('all 10,000' if probe.test_images == len(test_images)
                   else f'{probe.test_images} images')
      lines.append(
          f'| {label} | {probe.steps_label} | '
          f'{_bold(f"{window:.4f}", probe.bold)} ({probe.window_label}) | '
          f'{test_loss(states[steps], images, torch):.{probe.digits}f} ({on_images}) | '
          f'{((images - mean_image) ** 2).mean().item():.{probe.digits}f} |')
    if run != _V3_SGD:
      continue
    (_, pixel_variance), *layer_variances = v3_signal(states[0], signal_images, torch)
    chain = ' → '.join([f'{pixel_variance:.3g} (pixels)'] + [
        f'{variance:.2g} ({layer})' for layer, variance in layer_variances])
    code_layer = next(index for index, layer in enumerate(states[0])
                      if isinstance(layer, torch.nn.Sigmoid))
    with torch.no_grad():
      code = states[0][:code_layer + 1](signal_images)
      last_outputs = states[max(probes)].eval()(signal_images)
    output_variances = ' / '.join(f'{v3_signal(states[steps], signal_images, torch)[-1][1]:.6f}'
                                  for steps in sorted(probes))
    average_output_loss = ((signal_images - last_outputs.mean(dim=0)) ** 2).mean().item()
    notes += [
        f'- SGD 0.1, across-image variance at initialisation: {chain}.',
        f'- SGD 0.1, code at initialisation: mean {code.mean().item():.3f}, across-image std '
        f'{code.std(dim=0).mean().item():.4f} (largest over the units '
        f'{code.std(dim=0).max().item():.4f}).',
        f'- SGD 0.1, the output\'s across-image variance after {"/".join(map(str, sorted(probes)))}'
        f' steps: {output_variances}.',
        f'- SGD 0.1, step {max(probes)}: test loss '
        f'{((signal_images - last_outputs) ** 2).mean().item():.5f}, the loss of its own '
        f'average output {average_output_loss:.5f}.',
        f'- SGD 0.1, the weights\' gradient norm on the first batch, at initialisation: '
        f'first Linear {first_gradient_norms[0]:.1e}, last Linear {first_gradient_norms[1]:.1e}.']
  return '\n'.join(lines + notes)


def v5_runs(train_images, test_images, torch) -> dict:
  """Trains each run of V5's table; per run and epoch, the figures its rows and notes print."""
  figures = {}
  for run in dict.fromkeys(row.run for row in TABLE_ROWS['v5']):
    model, optimizer = build(run, torch)
    figures[run] = {}
    for epoch, batch_losses in train_epochs(model, optimizer, train_images, run, torch):
      figures[run][epoch] = dict(
          train=statistics.fmean(batch_losses), largest=max(batch_losses),
          eval=test_loss(model, test_images, torch),
          batch_stats=batch_stats_test_loss(model, test_images, torch),
          tiny=[tiny_variance_features(layer) for layer in batchnorms(model, torch)])
      logging.info('%s %g epoch %d: %s', run.optimizer, run.learning_rate, epoch,
                   figures[run][epoch])
  return figures


def _span(losses) -> str:
  return f'{format_loss(min(losses))} to {format_loss(max(losses))}'


def v5_table(train_images, test_images, torch) -> str:
  """V5's table (training average, largest batch, eval and batch-stats test loss), then each
  run's figures over all its epochs, and its BatchNorms' features of running variance below
  TINY_VARIANCE per epoch."""
  figures = v5_runs(train_images, test_images, torch)
  columns = (('train', format_loss), ('largest', lambda value: f'{value:.3f}'),
             ('eval', format_loss), ('batch_stats', format_loss))
  lines = ['| setting | epoch | train avg | largest batch loss | test, eval | '
           'test, batch stats |', '| --- | --- | --- | --- | --- | --- |']
  for row in TABLE_ROWS['v5']:
    cells = []
    for column, formatter in columns:
      bold = [_is_bold(row, column, epoch) for epoch in row.epochs]
      values = [formatter(figures[row.run][epoch][column]) for epoch in row.epochs]
      cells.append(_bold(' / '.join(values), True) if all(bold) else
                   ' / '.join(map(_bold, values, bold)))
    lines.append(f'| {row.label} | {" / ".join(map(str, row.epochs))} | {" | ".join(cells)} |')
  labels = {row.run: row.label.split(' (')[0] for row in TABLE_ROWS['v5']}
  lines += ['', 'Every epoch of each run:', '']
  for run, by_epoch in figures.items():
    series = {column: [then[column] for then in by_epoch.values()]
              for column in ('train', 'largest', 'eval', 'batch_stats')}
    lines.append(
        f'- {labels[run]}, {run.epochs} epochs: train avg {_span(series["train"])}; largest '
        f'batch loss after epoch 1 {format_loss(max(series["largest"][1:]))}; batch-stats test '
        f'loss {_span(series["batch_stats"])}; eval test loss {_span(series["eval"])}, per '
        f'epoch {" / ".join(map(format_loss, series["eval"]))}.')
  lines += ['', 'Features with running variance < 1e-6, per epoch: decoder '
            'BatchNorms after the ReLUs of width 32/64/128 (input BatchNorm).', '']
  for run, by_epoch in figures.items():
    counts = ', '.join(
        f'{epoch}: {"/".join(map(str, then["tiny"][V5_DECODER_BATCHNORMS]))} ({then["tiny"][0]})'
        for epoch, then in by_epoch.items())
    lines.append(f'- {labels[run]}: {counts}')
  return '\n'.join(lines)


def v5_batchnorm_figures(run: Run, train_images, test_images, torch) -> dict:
  """After `run`, V5's BatchNorms in eval mode on the test images, and the test losses."""
  model, optimizer = build(run, torch)
  for _ in train_epochs(model, optimizer, train_images, run, torch):
    pass
  layers = batchnorms(model, torch)
  assert len(layers) == len(V5_BATCHNORMS), layers
  largest_outputs = {}

  def record_largest_output(layer, inputs, output):
    del inputs
    largest_outputs[layer] = output.abs().max().item()

  hooks = [layer.register_forward_hook(record_largest_output) for layer in layers]
  model.eval()
  with torch.no_grad():
    outputs = model(test_images)
  for hook in hooks:
    hook.remove()
  image_losses = ((outputs - test_images) ** 2).mean(dim=1)
  # The input BatchNorm divides its always-black border pixels by about sqrt(eps) too: a
  # larger eps there, at evaluation only, shows how much of the test loss that part causes.
  with_input_eps = copy.deepcopy(model)
  with_input_eps[0].eps = 1e-2
  decoder = layers[V5_DECODER_BATCHNORMS]
  return dict(
      rows=[(label, layer.num_features, tiny_variance_features(layer),
             layer.running_var.min().item(), largest_outputs[layer])
            for label, layer in zip(V5_BATCHNORMS, layers)],
      test_loss=image_losses.mean().item(),
      images_over_1=int((image_losses > 1).sum()),
      median_image_loss=image_losses.median().item(),
      largest_model_output=outputs.abs().max().item(),
      decoder_smallest_running_var=min(layer.running_var.min().item() for layer in decoder),
      decoder_largest_output=max(largest_outputs[layer] for layer in decoder),
      test_loss_input_eps=test_loss(with_input_eps, test_images, torch))


def v5_batchnorms_table(train_images, test_images, torch) -> str:
  """V5's BatchNorms in eval mode after one epoch of Adam 1e-2, then what they do to the
  test loss, after that epoch and after one of Adam 1e-3 (the fix)."""
  lines = ['| BatchNorm (after) | width | features with running var < 1e-6 | smallest running var '
           '| largest \\|output\\| (test, eval) |', '| --- | --- | --- | --- | --- |', '']
  for name, run in (('Adam 1e-2', _V5_ADAM_1E2), ('Adam 1e-3', _V5_ADAM_1E3)):
    figures = v5_batchnorm_figures(dataclasses.replace(run, epochs=1), train_images,
                                   test_images, torch)
    if run == _V5_ADAM_1E2:
      # Bold, as on the page: the decoder BatchNorms that divide by almost 0.
      decoder_labels = V5_BATCHNORMS[V5_DECODER_BATCHNORMS]
      lines[-1:-1] = [
          f'| {label} | {width} | {_bold(str(tiny), label in decoder_labels and tiny > 0)} | '
          f'{format_magnitude(smallest)} | '
          f'{_bold(format_magnitude(largest), label in decoder_labels and tiny > 0)} |'
          for label, width, tiny, smallest, largest in figures['rows']]
    lines.append(
        f'- {name}, one epoch: eval test loss {format_loss(figures["test_loss"])}; '
        f'{figures["images_over_1"]} test images with an MSE over 1, the median image\'s '
        f'{figures["median_image_loss"]:.4f}; decoder BatchNorms: smallest running variance '
        f'{format_magnitude(figures["decoder_smallest_running_var"])}, largest |output| '
        f'{format_magnitude(figures["decoder_largest_output"])}; largest model output '
        f'{format_magnitude(figures["largest_model_output"])}; eval test loss with the input '
        f'BatchNorm\'s eps at 1e-2: {format_loss(figures["test_loss_input_eps"])}.')
  return '\n'.join(lines)


def main(argv):
  del argv
  try:
    import torch  # pylint: disable=g-import-not-at-top
  except ImportError:
    print('torch is not installed: pip install -e ".[twin]" to run the PyTorch research runs.')
    return 1
  # The page's runs used one thread; more threads sum in another order, and V5's eval-mode
  # blow-ups amplify such differences into other figures.
  torch.set_num_threads(1)
  train_images, test_images = load_mnist(FLAGS.data_dir, torch)
  start = time.perf_counter()
  if FLAGS.table in ('v1', 'v2'):
    table = linear_table(FLAGS.table, train_images, test_images, torch)
  else:
    make_table = {'v3': v3_table, 'v5': v5_table, 'v5_batchnorms': v5_batchnorms_table}
    table = make_table[FLAGS.table](train_images, test_images, torch)
  print(f'torch {torch.__version__}, {torch.get_num_threads()} thread, '
        f'{time.perf_counter() - start:.0f} s\n\n{table}')
  return 0


if __name__ == '__main__':
  flags.DEFINE_enum('table', None, TABLES, 'Which table of docs/notebook.md to run.')
  flags.DEFINE_string('data_dir', None, "A folder holding MNIST's four IDX .gz files.")
  flags.mark_flags_as_required(['table', 'data_dir'])
  sys.exit(app.run(main))
