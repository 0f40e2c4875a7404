"""The convolutions alone: each 3x3 conv of a benchmarked conv network, forward and backward, in
XLA (as jax-ae compiles it, and with jaxlib's default YNNPACK convolutions) and in
PyTorch, on the same shapes.

    python -m benchmarks.conv_floor [--networks=mnist10,cnn_fashion_wide] [--rounds=3]

A conv network's train step cannot be faster than its convolutions: this separates what
the compiler's conv kernels cost from what the rest of the step (BatchNorm, pooling,
upsampling, Adam) adds. Every conv layer of the config's network is found from its
parameters (kernel shape) and outputs (spatial size), and timed on its own at the
network's batch of 64: the input's and the kernel's gradients (the first layer's input
gradient included, so both frameworks do the same work), median of 20 calls after a
warm-up. Each framework runs in a fresh process, alternating, `--rounds` times; the
table gives the medians per layer and the network's sum, in milliseconds per step, and
the threads each framework computed with. Like for like: a PyTorch process imports
neither jax nor jax_ae and runs with PyTorch's own allocator, set to as many threads as
the XLA processes have cores; an XLA process takes main.py's settings
(`settings.configure_process`) as a training run does.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Dict, List, Tuple

from absl import app
from absl import flags

from benchmarks import timing

FLAGS = flags.FLAGS

BATCH_SIZE = 64
CALLS = 20
# 'xla': as jax-ae compiles them (XLA's own conv kernels, jax_ae/runtime/xla_cpu.py);
# 'xla_ynnpack': jaxlib's default, the convolutions in YNNPACK (JAX_AE_XLA_CPU_FLAGS=0).
FRAMEWORKS = ('xla', 'xla_ynnpack', 'torch_channels_last', 'torch_nchw')
Shape = Tuple[int, int, int, int]  # height, width, input channels, output channels


def conv_shapes(network: str) -> List[Shape]:
  """(height, width, in, out) of each 3x3 convolution of `network`'s config
  (torch_reference.network_config), in call order."""
  import flax  # pylint: disable=g-import-not-at-top
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  from benchmarks import torch_reference  # pylint: disable=g-import-not-at-top
  from jax_ae.models import networks  # pylint: disable=g-import-not-at-top
  from jax_ae.training import steps  # pylint: disable=g-import-not-at-top
  model = networks.create_model(torch_reference.network_config(network).model)
  # Shapes only (jax.eval_shape): nothing is initialised, compiled or run. The outputs
  # come back as a list, in call order: a dict returned by eval_shape comes back sorted.
  variables = jax.eval_shape(lambda: networks.init_variables(model, steps.init_key(0)))
  paths = []

  def intermediates_in_call_order(variables):
    _, captured = model.apply(variables, jnp.zeros((1, networks.IMAGE_PIXELS)), train=False,
                              capture_intermediates=True, mutable=['intermediates'])
    flat = flax.traverse_util.flatten_dict(captured['intermediates'], sep='/')
    paths.extend(flat)
    return list(flat.values())

  outputs = jax.eval_shape(intermediates_in_call_order, variables)
  kernels = flax.traverse_util.flatten_dict(variables['params'], sep='/')
  shapes = []
  for path, output in zip(paths, outputs):
    kernel = kernels.get(path[:-len('/__call__')] + '/kernel')
    if kernel is not None and kernel.ndim == 4:
      _, height, width, _ = output[0].shape
      shapes.append((height, width, kernel.shape[2], kernel.shape[3]))
  return shapes


def xla_ms(shape: Shape) -> float:
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  height, width, cin, cout = shape
  x = jax.random.normal(jax.random.key(0), (BATCH_SIZE, height, width, cin))
  w = jax.random.normal(jax.random.key(1), (3, 3, cin, cout)) * 0.1
  dy = jax.random.normal(jax.random.key(2), (BATCH_SIZE, height, width, cout))

  def conv(x, w):
    return jax.lax.conv_general_dilated(x, w, (1, 1), 'SAME',
                                        dimension_numbers=('NHWC', 'HWIO', 'NHWC'))

  @jax.jit
  def forward_and_backward(x, w, dy):
    y, vjp = jax.vjp(conv, x, w)
    return y, vjp(dy)

  return 1e3 * timing.median_seconds(lambda: forward_and_backward(x, w, dy), CALLS)


def torch_ms(shape: Shape, channels_last: bool) -> float:
  import torch  # pylint: disable=g-import-not-at-top
  height, width, cin, cout = shape
  layout = torch.channels_last if channels_last else torch.contiguous_format
  conv = torch.nn.Conv2d(cin, cout, 3, padding=1, bias=False).to(memory_format=layout)
  x = torch.randn(BATCH_SIZE, cin, height, width).contiguous(memory_format=layout)
  x.requires_grad_(True)
  dy = torch.randn(BATCH_SIZE, cout, height, width).contiguous(memory_format=layout)

  def forward_and_backward():
    conv.zero_grad()
    x.grad = None
    conv(x).backward(dy)

  return 1e3 * timing.median_seconds(forward_and_backward, CALLS)


def _cores() -> int:
  """The cores this process may run on: XLA:CPU sizes its thread pool by them."""
  return len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()


def measure(framework: str, shapes: List[Shape]) -> Dict[str, object]:
  """{'ms': each shape's milliseconds, 'threads': the threads `framework` computed with}."""
  if framework.startswith('xla'):
    from jax_ae.runtime import settings  # pylint: disable=g-import-not-at-top
    settings.configure_process()  # main.py's XLA flags and allocator, before JAX starts
    return {'ms': [xla_ms(shape) for shape in shapes], 'threads': _cores()}
  import torch  # pylint: disable=g-import-not-at-top
  torch.set_num_threads(_cores())
  return {'ms': [torch_ms(shape, framework == 'torch_channels_last') for shape in shapes],
          'threads': torch.get_num_threads()}


def _in_fresh_process(framework: str, shapes: List[Shape]) -> Dict[str, object]:
  from jax_ae.runtime import xla_cpu  # pylint: disable=g-import-not-at-top
  code = ('import json, sys; from benchmarks import conv_floor as c; '
          f'print(json.dumps(c.measure({framework!r}, {shapes!r})))')
  env = xla_cpu.without_preference(os.environ) if framework == 'xla_ynnpack' else None
  result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          check=True, env=env)
  return json.loads(result.stdout.strip().splitlines()[-1])


def format_table(network: str, shapes: List[Shape],
                 times: Dict[str, List[Dict[str, object]]]) -> str:
  """The medians over the rounds (`times`: per framework, one `measure` result a round)."""
  medians = {framework: [statistics.median(layer) for layer in zip(*(r['ms'] for r in rounds))]
             for framework, rounds in times.items()}
  threads = {framework: '/'.join(sorted({str(r['threads']) for r in rounds}))
             for framework, rounds in times.items()}
  lines = [f'{network}, batch {BATCH_SIZE}: ms per forward and backward',
           '| conv (h x w, in -> out) | ' + ' | '.join(FRAMEWORKS) + ' |',
           '|' + ' --- |' * (len(FRAMEWORKS) + 1),
           '| threads | ' + ' | '.join(threads[f] for f in FRAMEWORKS) + ' |']
  for index, (height, width, cin, cout) in enumerate(shapes):
    lines.append(f'| {height}x{width}, {cin} -> {cout} | '
                 + ' | '.join(f'{medians[f][index]:.2f}' for f in FRAMEWORKS) + ' |')
  lines.append('| **all convs** | ' + ' | '.join(f'**{sum(medians[f]):.1f}**' for f in FRAMEWORKS)
               + ' |')
  return '\n'.join(lines)


def main(argv):
  del argv
  for network in FLAGS.networks:
    shapes = conv_shapes(network)
    times = {framework: [] for framework in FRAMEWORKS}
    for _ in range(FLAGS.rounds):
      for framework in FRAMEWORKS:
        times[framework].append(_in_fresh_process(framework, shapes))
    print(format_table(network, shapes, times), '\n', flush=True)


if __name__ == '__main__':
  flags.DEFINE_list('networks', ['mnist10', 'cnn_fashion_wide'], 'Configs whose convs to time.')
  flags.DEFINE_integer('rounds', 3, 'Alternations of the frameworks, each in a fresh process.')
  app.run(main)
