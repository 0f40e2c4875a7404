"""Our models in float64, for equivalence checks that float32 rounding would blur.

V4/V5 at batch 32 are chaotic: two correct computations that round differently
(one device or eight, jit or eager, JAX or PyTorch) drift apart by more than any
float32 tolerance a test could fix for every CPU. In float64 the same checks hold
to ~1e-10, so they can cover every parameter.

    with float64.enabled():
      state = float64.cast(steps.create_train_state(...))

`enabled()` turns on `jax_enable_x64` only inside the block, so nothing leaks into
other tests. `cast` turns parameters, batch statistics and optimizer moments into
float64; Flax creates them as float32 whatever the input.
"""

import contextlib
from typing import Any, Iterator, Tuple

import jax
import jax.numpy as jnp


# Biases that feed straight into a BatchNorm, which subtracts them again: their true
# gradient is 0 and the computed one rounding noise, which Adam divides by its own
# square root and so turns into steps of up to +-learning_rate. Equivalence checks
# after training leave these out, by name, and compare every other parameter.
BATCHNORM_FED_BIASES = {
    'v4': ('encoder_layers_0/bias', 'encoder_code/bias'),
    'v5': ('encoder_layers_0/bias', 'encoder_code/bias'),
}


@contextlib.contextmanager
def enabled() -> Iterator[None]:
  with jax.enable_x64(True):
    yield


def cast(tree: Any) -> Any:
  """Every floating-point leaf of `tree` as float64; integers (steps, counts) unchanged."""
  return jax.tree.map(
      lambda leaf: leaf.astype(jnp.float64) if jnp.issubdtype(leaf.dtype, jnp.floating) else leaf,
      tree)


def flat(tree: Any) -> dict:
  """{'module/.../name': leaf} of a params or batch_stats tree."""
  return {'/'.join(str(getattr(key, 'key', key)) for key in path): leaf
          for path, leaf in jax.tree_util.tree_leaves_with_path(tree)}


def without(tree: Any, names: Tuple[str, ...]) -> dict:
  """`flat(tree)` less `names`, each of which must be there (a renamed one fails loudly)."""
  leaves = flat(tree)
  missing = set(names) - set(leaves)
  assert not missing, f'{sorted(missing)} not among {sorted(leaves)}'
  return {name: leaf for name, leaf in leaves.items() if name not in names}
