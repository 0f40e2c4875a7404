"""V1-V5 as the notebook wrote them in PyTorch (eager), timed beside ours in one run.

    pip install -e '.[twin]'    # torch==2.13.0; CPU build: --extra-index-url https://download.pytorch.org/whl/cpu
    python -m benchmarks.torch_reference [--batch_size=32] [--repetitions=5]

Prints, per version, PyTorch's and jax-ae's train steps per second (Adam 1e-3, MSE,
synthetic data of MNIST's shape) and their ratio. Without torch it says so and exits 0.
"""

import sys

from absl import app
from absl import flags

from benchmarks import timing

FLAGS = flags.FLAGS

VERSIONS = ('v1', 'v2', 'v3', 'v4', 'v5')


def notebook_model(version: str, torch, hidden: int = 128):
  """The notebook's nn.Sequential for `version` (see jax_ae/models/networks.py for the Flax twins).

  `hidden` is V1/V2's hidden width H (the notebook's: 128); research/notebook_torch.py
  varies it in its own copy. The other versions ignore it.
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


# Two conv networks from docs/records.md's attempts (not records), as a PyTorch user would
# write them, each with the config (a module under configs/) whose network jax-ae trains.
RECORD_NETWORKS = {'mnist10': 'attempts.mnist10', 'cnn_fashion_wide': 'attempts.cnn_fashion_wide'}


def network_config(network: str):
  """The config of a notebook version (configs/<version>.py), a benchmarked conv network, or any
  config module under configs/ (e.g. 'attempts.fashion10')."""
  from jax_ae.measure import bench  # pylint: disable=g-import-not-at-top
  return bench.version_config(RECORD_NETWORKS.get(network, network))


def record_network(name: str, torch):
  """The network of conv network `name`'s config in PyTorch (NCHW): [batch, 1, 28, 28] in.

  mnist10: the conv autoencoder (models.ConvAutoencoder, two 3x3 conv blocks of 16 and
  then 32 channels per resolution, 2x2 max-pool down, nearest upsampling up, dense 256
  each side of a 10-unit code); cnn_fashion_wide: the classifier (models.CnnClassifier,
  48-96-192 channels, dense 512, dropout 0.2). Convs without bias before BatchNorm, as
  in jax-ae. Training augmentation (shifts, flips) is left out: jax-ae's bench step
  does that work too, so the comparison favours PyTorch slightly.
  """
  nn = torch.nn

  def conv_block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

  def dense_block(fin, fout):
    return [nn.Linear(fin, fout, bias=False), nn.BatchNorm1d(fout), nn.ReLU()]

  if name == 'mnist10':
    return nn.Sequential(
        *conv_block(1, 16), *conv_block(16, 16), nn.MaxPool2d(2),
        *conv_block(16, 32), *conv_block(32, 32), nn.MaxPool2d(2),
        nn.Flatten(), *dense_block(7 * 7 * 32, 256), nn.Linear(256, 10),
        *dense_block(10, 256), *dense_block(256, 7 * 7 * 32), nn.Unflatten(1, (32, 7, 7)),
        nn.Upsample(scale_factor=2, mode='nearest'), *conv_block(32, 32), *conv_block(32, 32),
        nn.Upsample(scale_factor=2, mode='nearest'), *conv_block(32, 16), *conv_block(16, 16),
        nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid())
  assert name == 'cnn_fashion_wide', name
  return nn.Sequential(
      *conv_block(1, 48), nn.MaxPool2d(2), *conv_block(48, 96), nn.MaxPool2d(2),
      *conv_block(96, 192), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.2),
      nn.Linear(3 * 3 * 192, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10))


def torch_steps_per_second(network: str, batch_size: int, steps: int, repetitions: int,
                           setting: str = 'eager') -> float:
  """PyTorch train steps per second for a notebook version or a benchmarked conv network.

  `setting`: 'eager' (NCHW, as the notebook ran), 'channels_last' (NHWC memory format,
  the layout oneDNN's convolutions prefer) or 'compile' (channels_last under
  `torch.compile`, where it runs). The dense versions have no convolution, so only
  'eager' applies to them.
  """
  import torch  # pylint: disable=g-import-not-at-top
  torch.manual_seed(0)
  if network in RECORD_NETWORKS:
    model = record_network(network, torch)
    images = torch.rand(steps, batch_size, 1, 28, 28)
    if network == 'mnist10':
      loss_fn, targets = torch.nn.MSELoss(), images
    else:
      loss_fn = torch.nn.CrossEntropyLoss()
      targets = torch.randint(0, 10, (steps, batch_size))
  else:
    assert setting == 'eager', f'{network} has no convolution: only eager applies'
    model = notebook_model(network, torch)
    loss_fn = torch.nn.MSELoss()
    images = targets = torch.rand(steps, batch_size, 784)
  if setting in ('channels_last', 'compile'):
    model = model.to(memory_format=torch.channels_last)
    images = [batch.contiguous(memory_format=torch.channels_last) for batch in images]
    if network == 'mnist10':
      targets = images
  optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
  forward = torch.compile(model) if setting == 'compile' else model
  model.train()

  def run():
    for batch, target in zip(images, targets):
      optimizer.zero_grad()
      loss = loss_fn(forward(batch), target)
      loss.backward()
      optimizer.step()

  return steps / timing.median_seconds(run, repetitions)


def compare(batch_size: int, steps: int, repetitions: int):
  """Rows of (version, torch steps/s, jax-ae steps/s, loop, ratio), measured now."""
  from jax_ae.measure import bench  # pylint: disable=g-import-not-at-top
  rows = []
  for version in VERSIONS:
    config = bench.version_config(version)
    config.bench.repetitions = repetitions
    ours = bench.measure(config, batch_size, peak_flops=float('nan'))
    theirs = torch_steps_per_second(version, batch_size, steps, repetitions)
    rows.append((version, theirs, ours['train_steps_per_second'], ours['loop'],
                 ours['train_steps_per_second'] / theirs))
  return rows


def format_rows(rows, batch_size: int) -> str:
  lines = ['| version | PyTorch eager steps/s | jax-ae steps/s | jax-ae loop | ratio |',
           '| --- | --- | --- | --- | --- |']
  lines += [f'| {v} | {t:,.0f} | {o:,.0f} | {loop} | {r:.2f}x |' for v, t, o, loop, r in rows]
  return f'Batch {batch_size}, Adam 1e-3, MSE, synthetic 28x28 data.\n\n' + '\n'.join(lines)


def main(argv):
  del argv
  try:
    import torch  # pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    print('torch is not installed: pip install -e ".[twin]" to compare with PyTorch.')
    return 0
  print(f'torch {torch.__version__}, {torch.get_num_threads()} threads')
  print(format_rows(compare(FLAGS.batch_size, FLAGS.steps, FLAGS.repetitions), FLAGS.batch_size))
  return 0


if __name__ == '__main__':
  # Defined here, not on import, so benchmarks.bench_all can import this module beside its own.
  flags.DEFINE_integer('batch_size', 32, 'Batch size of both frameworks (the notebook: 32).')
  flags.DEFINE_integer('repetitions', 5, 'Timed runs per figure; the median is reported.')
  flags.DEFINE_integer('steps', 200, 'Train steps per timed run.')
  sys.exit(app.run(main))
