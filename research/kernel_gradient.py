"""A conv's kernel gradient four ways, on mnist10's shapes at batch 64: is XLA's the fastest?

    python -m research.kernel_gradient

The kernel gradients are the largest share of mnist10's step (benchmarks/op_profile.py).
This times XLA's own (the transpose of the convolution, which XLA:CPU hands to YNNPACK)
against three hand-written forms of the same sum over the batch and positions: the nine
shifted inputs stacked and contracted in one einsum ('im2col'), one einsum per tap
('taps'), and the stacked patches as one [positions, 9 * in] matrix product ('flat').
Prints milliseconds (median of 20 jitted calls) and each form's largest relative
difference from XLA's. Quoted in docs/performance.md.
"""

from absl import app

import jax
import jax.numpy as jnp

from jax_ae.measure import bench


def conv(x, w):
  return jax.lax.conv_general_dilated(x, w, (1, 1), 'SAME',
                                      dimension_numbers=('NHWC', 'HWIO', 'NHWC'))


def kernel_gradient_xla(x, w, dy):
  return jax.vjp(lambda w: conv(x, w), w)[1](dy)[0]


def shifted_taps(x):
  """The nine 3x3 'SAME' taps of x [b, h, w, c], each [b, h, w, c], in the kernel's
  row-major order."""
  _, height, width, _ = x.shape
  padded = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
  return [padded[:, i:i + height, j:j + width, :] for i in range(3) for j in range(3)]


def kernel_gradient_im2col(x, w, dy):
  patches = jnp.stack(shifted_taps(x), axis=3)  # [batch, h, w, 9, in]
  return jnp.einsum('bhwkc,bhwd->kcd', patches, dy).reshape(w.shape)


def kernel_gradient_taps(x, w, dy):
  return jnp.stack([jnp.einsum('bhwc,bhwd->cd', tap, dy)
                    for tap in shifted_taps(x)]).reshape(w.shape)


def kernel_gradient_flat(x, w, dy):
  patches = jnp.concatenate(shifted_taps(x), axis=3).reshape(-1, 9 * x.shape[-1])
  return (patches.T @ dy.reshape(-1, dy.shape[-1])).reshape(w.shape)


FORMS = {'xla': kernel_gradient_xla, 'im2col': kernel_gradient_im2col,
         'taps': kernel_gradient_taps, 'flat': kernel_gradient_flat}
# (side, in, out): mnist10's costliest kernel gradients, and its first and last conv.
SHAPES = ((28, 32, 16), (28, 16, 16), (14, 32, 32), (28, 1, 16), (28, 16, 1))


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'no arguments expected; got {argv[1:]}')
  print('| conv | ' + ' | '.join(FORMS) + ' |')
  print('|' + ' --- |' * (len(FORMS) + 1))
  for side, cin, cout in SHAPES:
    keys = jax.random.split(jax.random.key(0), 3)
    x = jax.random.normal(keys[0], (64, side, side, cin))
    w = jax.random.normal(keys[1], (3, 3, cin, cout))
    dy = jax.random.normal(keys[2], (64, side, side, cout))
    reference = jax.jit(kernel_gradient_xla)(x, w, dy)
    cells = []
    for form in FORMS.values():
      jitted = jax.jit(form)
      error = float(jnp.max(jnp.abs(jitted(x, w, dy) - reference)) / jnp.max(jnp.abs(reference)))
      milliseconds = 1e3 * bench.median_seconds(lambda: jitted(x, w, dy), 20)
      cells.append(f'{milliseconds:.2f} ms ({error:.0e})')
    print(f'| {side}x{side}, {cin} -> {cout} | ' + ' | '.join(cells) + ' |', flush=True)


if __name__ == '__main__':
  app.run(main)
