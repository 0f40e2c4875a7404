"""Nearest upsampling + 3x3 conv against the same conv folded into 2x2 phase convolutions.

    python -m research.upsample_conv

On a nearest-upsampled map each output's 3x3 window holds only 2x2 distinct input
pixels, so the conv can run on the small map as four 2x2 convolutions (one per output
phase, kernels summed from the 3x3 taps) and be interleaved: 16 taps per 2x2 block of
outputs instead of 36. This times a forward and backward pass (both gradients) of
mnist10's two upsampling convs at batch 64, three ways: the upsampled map and one conv
(what models.ConvDecoder does), four phase convs ('phases'), and one conv with the four
phases as 4x the outputs ('stacked'). Prints milliseconds (median of 15 jitted calls)
and the largest difference from the first form. Quoted in docs/performance.md.
"""


from absl import app
import jax
import jax.numpy as jnp

from jax_ae.measure import bench
from jax_ae.models import layers
from jax_ae.runtime import settings

settings.configure_process()  # as main.py does: the allocator and XLA flags of training

# Which 3x3 taps fall on which of two input pixels, for even (0) and odd (1) outputs.
PHASE_TAPS = jnp.asarray((((1, 0, 0), (0, 1, 1)), ((1, 1, 0), (0, 0, 1))), jnp.float32)
NHWC = ('NHWC', 'HWIO', 'NHWC')


def phase_kernels(kernel):
  """[3, 3, in, out] -> [2, 2, in, row phase, column phase, out]."""
  return jnp.einsum('aui,bvj,ijco->uvcabo', PHASE_TAPS, PHASE_TAPS, kernel)


def upsampled(x, kernel):
  return jax.lax.conv_general_dilated(layers.upsample_2x(x, 'nearest'), kernel, (1, 1), 'SAME',
                                      dimension_numbers=NHWC)


def phases(x, kernel):
  batch, height, width, _ = x.shape
  per_phase = phase_kernels(kernel)
  rows = [[jax.lax.conv_general_dilated(x, per_phase[:, :, :, a, b], (1, 1),
                                        ((1 - a, a), (1 - b, b)), dimension_numbers=NHWC)
           for b in (0, 1)] for a in (0, 1)]
  y = jnp.stack([jnp.stack(row, axis=3) for row in rows], axis=2)
  return y.reshape(batch, 2 * height, 2 * width, kernel.shape[-1])


def stacked(x, kernel):
  batch, height, width, in_features = x.shape
  out = kernel.shape[-1]
  z = jax.lax.conv_general_dilated(
      x, phase_kernels(kernel).reshape(2, 2, in_features, 4 * out), (1, 1), ((1, 1), (1, 1)),
      dimension_numbers=NHWC).reshape(batch, height + 1, width + 1, 2, 2, out)
  rows = [jnp.stack([z[:, a:a + height, b:b + width, a, b] for b in (0, 1)], axis=3)
          for a in (0, 1)]
  return jnp.stack(rows, axis=2).reshape(batch, 2 * height, 2 * width, out)


FORMS = {'upsampled': upsampled, 'phases': phases, 'stacked': stacked}
# (side of the small map, in, out): mnist10's two upsampling convs.
SHAPES = ((14, 32, 16), (7, 32, 32))


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'no arguments expected; got {argv[1:]}')
  print('| conv | ' + ' | '.join(FORMS) + ' |')
  print('|' + ' --- |' * (len(FORMS) + 1))
  for side, cin, cout in SHAPES:
    x = jax.random.normal(jax.random.key(0), (64, side, side, cin))
    kernel = jax.random.normal(jax.random.key(1), (3, 3, cin, cout))
    reference = upsampled(x, kernel)
    cells = []
    for form in FORMS.values():
      gradient = jax.jit(jax.grad(lambda x, k, f=form: jnp.sum(jnp.square(f(x, k))),
                                  argnums=(0, 1)))
      error = float(jnp.max(jnp.abs(form(x, kernel) - reference)) /
                    jnp.max(jnp.abs(reference)))
      milliseconds = 1e3 * bench.median_seconds(lambda: gradient(x, kernel), 15)
      cells.append(f'{milliseconds:.2f} ms ({error:.0e})')
    print(f'| {side}x{side} -> {2 * side}x{2 * side}, {cin} -> {cout} | ' + ' | '.join(cells)
          + ' |', flush=True)


if __name__ == '__main__':
  app.run(main)
