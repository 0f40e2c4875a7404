"""The dense record networks' training step in PyTorch, as their configs train in jax-ae.

configs/mnist10_dense_gelu.py (MNIST through 10 numbers) and configs/hinton2006_decay.py
(30 units) train a dense autoencoder (jax-ae's DeepAutoencoder: `hidden_widths`, a
linear code, their mirror image, a sigmoid output) on one-pixel shifts, with AdamW whose
decay reaches the kernels only, a linear warm-up then a cosine to 0, and a moving
average of the weights after every step. This module is that step as a PyTorch user
writes it: `nn.Linear` layers, `torch.optim.AdamW` with the biases in a group without
decay, `LambdaLR`, `torch._foreach_lerp_` for the average, and the shifts by padding and
indexing. `benchmarks/peer.py torch NAME eager|compile` times it; bench_all.py puts it
beside jax-ae's own loop for the same config. The data are random, of MNIST's shape.
"""

import math

from benchmarks import timing

# What each config trains, written out so that the PyTorch process imports neither jax nor
# jax_ae (tests/test_peers.py checks these against configs/NAME.py, field by field).
DENSE_RECORDS = {
    'mnist10_dense_gelu': dict(hidden_widths=(1000, 500, 250), code_dim=10,
                               hidden_activation='gelu', max_shift=1, learning_rate=1e-3,
                               warmup_epochs=1.0, weight_decay=0.167, ema_decay=0.999,
                               num_epochs=360, batch_size=128),
    'hinton2006_decay': dict(hidden_widths=(2000, 1000, 500), code_dim=30,
                             hidden_activation='relu', max_shift=1, learning_rate=1e-3,
                             warmup_epochs=1.0, weight_decay=0.05, ema_decay=0.999,
                             num_epochs=200, batch_size=128),
}
TRAIN_EXAMPLES = 55000  # MNIST's 60,000 less the records' 5,000 validation images


def dense_model(record, torch):
  """784 -> hidden_widths -> code (linear) -> reversed widths -> 784 (sigmoid)."""
  nn = torch.nn
  activation = {'relu': nn.ReLU, 'gelu': lambda: nn.GELU(approximate='tanh'),  # Flax's gelu
                'silu': nn.SiLU, 'elu': nn.ELU}[record['hidden_activation']]
  widths = [784, *record['hidden_widths'], record['code_dim']]
  layers = []
  for fan_in, fan_out in zip(widths[:-1], widths[1:]):
    layers += [nn.Linear(fan_in, fan_out), activation()]
  layers.pop()  # the code is linear
  backwards = widths[::-1]
  for fan_in, fan_out in zip(backwards[:-1], backwards[1:]):
    layers += [nn.Linear(fan_in, fan_out), activation()]
  layers[-1] = nn.Sigmoid()
  return nn.Sequential(*layers)


def shifted(images, max_shift: int, torch):
  """Each [784] image moved by up to `max_shift` pixels along each axis, zeros let in."""
  batch = images.shape[0]
  padded = torch.nn.functional.pad(images.view(batch, 28, 28), (max_shift,) * 4)
  offsets = torch.randint(0, 2 * max_shift + 1, (batch, 2))
  pixels = torch.arange(28)
  rows = (offsets[:, :1] + pixels)[:, :, None]
  columns = (offsets[:, 1:] + pixels)[:, None, :]
  return padded[torch.arange(batch)[:, None, None], rows, columns].reshape(batch, 784)


def steps_per_second(network: str, batch_size: int, steps: int, repetitions: int,
                     setting: str = 'eager') -> float:
  """PyTorch train steps per second of `network`'s config: 'eager', or 'compile'
  (`torch.compile` of the model's forward)."""
  import torch  # pylint: disable=g-import-not-at-top
  torch.manual_seed(0)
  record = DENSE_RECORDS[network]
  model = dense_model(record, torch)
  decayed = [p for name, p in model.named_parameters() if name.endswith('weight')]
  kept = [p for name, p in model.named_parameters() if not name.endswith('weight')]
  optimizer = torch.optim.AdamW([{'params': decayed, 'weight_decay': record['weight_decay']},
                                 {'params': kept, 'weight_decay': 0.0}],
                                lr=record['learning_rate'])
  steps_per_epoch = TRAIN_EXAMPLES // batch_size
  total = record['num_epochs'] * steps_per_epoch
  warmup = round(record['warmup_epochs'] * steps_per_epoch)

  def rate_factor(step):
    if step < warmup:
      return step / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))

  schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate_factor)
  parameters = list(model.parameters())
  average = [p.detach().clone() for p in parameters]
  forward = torch.compile(model) if setting == 'compile' else model
  images = torch.rand(steps, batch_size, 784)
  model.train()

  def run():
    for batch in images:
      if record['max_shift']:
        batch = shifted(batch, record['max_shift'], torch)
      optimizer.zero_grad()
      loss = torch.nn.functional.mse_loss(forward(batch), batch)
      loss.backward()
      optimizer.step()
      schedule.step()
      with torch.no_grad():
        torch._foreach_lerp_(average, parameters, 1 - record['ema_decay'])  # pylint: disable=protected-access

  return steps / timing.median_seconds(run, repetitions)
