"""Data parallelism over every device: one mesh axis, `data`, and where arrays live on it.

Batches are split along `data`; parameters, optimizer state, batch statistics, the
datasets and the keys are replicated. The train and eval steps are the same `jax.jit`
functions as on one device: given these shardings, XLA partitions them and adds the
all-reduces (of gradients, and of BatchNorm's batch moments, so a sharded step
normalises with the statistics of the global batch, as one device would).
"""

from typing import Any, Optional, Sequence

import jax
from jax.sharding import NamedSharding
import numpy as np
from jax.sharding import PartitionSpec


DATA_AXIS = 'data'


def make_mesh(devices: Optional[Sequence[jax.Device]] = None) -> jax.sharding.Mesh:
  """A 1-D mesh named `data` over `devices` (default: every device of every process)."""
  devices = list(devices) if devices is not None else jax.devices()
  return jax.make_mesh((len(devices),), (DATA_AXIS,), devices=devices,
                       axis_types=(jax.sharding.AxisType.Auto,))


def replicated(mesh: jax.sharding.Mesh) -> NamedSharding:
  return NamedSharding(mesh, PartitionSpec())


def batch_sharded(mesh: jax.sharding.Mesh, batch_axis: int = 0) -> NamedSharding:
  """Splits axis `batch_axis` (the examples) across the mesh's devices."""
  return NamedSharding(mesh, PartitionSpec(*([None] * batch_axis), DATA_AXIS))


def replicate(tree: Any, mesh: jax.sharding.Mesh) -> Any:
  """The same values on every device of the mesh (they must agree across processes).

  With several processes, `device_put` onto devices of other processes accepts host
  arrays only: a process-local jax.Array (a key, a freshly initialised state) goes
  through the host first, a key as its raw data.
  """
  sharding = replicated(mesh)
  if jax.process_count() == 1:
    return jax.device_put(tree, sharding)

  def place(leaf):
    if isinstance(leaf, jax.Array) and leaf.is_fully_addressable and leaf.size > 0 and (
        not sharding.is_equivalent_to(leaf.sharding, leaf.ndim)):
      if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key):
        key_data = jax.device_put(np.asarray(jax.random.key_data(leaf)), sharding)
        return jax.random.wrap_key_data(key_data, impl=jax.random.key_impl(leaf))
      return jax.device_put(np.asarray(leaf), sharding)
    return jax.device_put(leaf, sharding)

  return jax.tree.map(place, tree)
