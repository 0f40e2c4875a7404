"""How close a dense version's step is to this machine's memory bandwidth.

    python -m benchmarks.memory_passes [--versions=v1,v2,v3,v4,v5]

V3 at batch 32 moves more bytes than it computes: its 6.4 M parameters are 25 MB, and
each step reads and writes them, their gradients and Adam's two moments several times.
This prints the machine's measured bandwidth (a jitted `a + s * b` over 64 MB arrays:
two reads and a write) and, per version, the bytes XLA's cost analysis counts for one
compiled train step (the python loop's), that figure in passes over the parameters,
the step's measured time and the bandwidth it implies. The fewest passes an Adam step
needs: one read of the weights forward and one backward, a gradient written, and the
update reading weights, gradient and both moments and writing three of them (10);
XLA:CPU has no multi-output loop fusion, so its Adam writes each of the three outputs
from its own fusion, re-reading the gradient (and the moments) for each.
"""

from absl import app
from absl import flags
import jax
import jax.numpy as jnp

from jax_ae.measure import bench

FLAGS = flags.FLAGS


def bandwidth_bytes_per_second(num_floats: int = 16 * 2**20) -> float:
  """Bytes per second of a jitted `a + 1.5 * b` over two float32 arrays (64 MB each)."""
  a = jnp.ones((num_floats,), jnp.float32)
  b = jnp.full((num_floats,), 2.0, jnp.float32)
  triad = jax.jit(lambda a, b: a + 1.5 * b)
  return 3 * 4 * num_floats / bench.median_seconds(lambda: triad(a, b), repetitions=20)


def compiled_step_bytes(config, num_steps: int = 100):
  """(bytes one compiled python-loop train step accesses by XLA's cost analysis, parameter bytes)."""
  from jax_ae.training import steps  # pylint: disable=g-import-not-at-top
  from jax_ae.training import train_loops  # pylint: disable=g-import-not-at-top
  config = config.copy_and_resolve_references()
  config.train.loop = 'python'  # one step's program
  trainer = train_loops.Trainer(config, bench.synthetic_split(num_steps * config.batch_size))
  state = trainer.create_state()
  compiled = trainer.compile_step(state, trainer.epoch_batch_indices(steps.shuffle_key(0, 1)))
  analysis = compiled.cost_analysis()
  analysis = analysis[0] if isinstance(analysis, list) else analysis
  parameter_bytes = sum(leaf.nbytes for leaf in jax.tree.leaves(state.params))
  return analysis['bytes accessed'], parameter_bytes


def step_bytes(version: str):
  """(bytes one train step accesses by XLA's cost analysis, parameter bytes, seconds per step)."""
  config = bench.version_config(version)
  config.train.loop = 'python'
  num_steps = 100
  accessed, parameter_bytes = compiled_step_bytes(config, num_steps)
  _, _, seconds, _ = bench.time_training(config, config.batch_size, num_steps, repetitions=5)
  return accessed, parameter_bytes, seconds / num_steps


def main(argv):
  del argv
  bandwidth = bandwidth_bytes_per_second()
  print(f'memory bandwidth (a + s * b, 64 MB arrays): {bandwidth / 1e9:.1f} GB/s\n')
  print('| version | bytes per step | parameter bytes | passes over the parameters '
        '| step (ms, python loop) | implied GB/s |')
  print('| --- | --- | --- | --- | --- | --- |')
  for version in FLAGS.versions:
    accessed, parameter_bytes, seconds = step_bytes(version)
    print(f'| {version} | {accessed / 1e6:,.1f} MB | {parameter_bytes / 1e6:,.2f} MB '
          f'| {accessed / parameter_bytes:.1f} | {1e3 * seconds:.2f} '
          f'| {accessed / seconds / 1e9:.1f} |', flush=True)


if __name__ == '__main__':
  flags.DEFINE_list('versions', ['v3'], 'Configs to count.')
  app.run(main)
