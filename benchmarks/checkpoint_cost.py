"""What the checkpoints' integrity digest costs at save and restore, per model.

    python -m benchmarks.checkpoint_cost [--versions=v1,v3,conv_ae] [--repetitions=5]

For each model: the median wall time of one checkpoint save and one restore of its
TrainState (parameters, Adam moments, BatchNorm statistics) and the epoch's sums, and
of the sha256 digest of those arrays that each save writes and each restore checks
(checkpoint.digest), on this machine. No data is needed.
"""

import argparse
import shutil
import tempfile

import jax

from benchmarks import timing
from jax_ae.models import tasks
from jax_ae.training import steps
from jax_ae.training import train_loops
from jax_ae.workdir import checkpoint
from tests.helpers import new_train_state


def measure(version: str, repetitions: int) -> dict:
  """Save, restore and digest seconds of `version`'s full-size checkpoint."""
  config = __import__(f'configs.{version}', fromlist=['get_config']).get_config()
  state = new_train_state(config, steps.init_key(0))
  sums = train_loops.new_epoch_sums(tasks.get(config.task))
  position = checkpoint.Position(1, 1)
  arrays = {'state': checkpoint._state_arrays(state), 'epoch_sums': sums}  # pylint: disable=protected-access
  folder = tempfile.mkdtemp(prefix='jax-ae-checkpoint-cost-')
  try:
    checkpoints = checkpoint.Checkpoints(folder, keep=1)
    step = iter(range(1, 10_000))

    def save():
      checkpoints.save(state.replace(step=state.step + next(step)), sums, position)

    save_seconds = timing.median_seconds(save, repetitions, warm_up=False)
    restore_seconds = timing.median_seconds(lambda: checkpoints.restore_latest(state, sums),
                                            repetitions, warm_up=False)
    checkpoints.close()
  finally:
    shutil.rmtree(folder, ignore_errors=True)
  digest_seconds = timing.median_seconds(lambda: checkpoint.digest(arrays, position), repetitions,
                                          warm_up=False)
  megabytes = sum(leaf.nbytes for leaf in jax.tree.leaves(arrays)) / 1e6
  return {'version': version, 'megabytes': megabytes, 'save_seconds': save_seconds,
          'restore_seconds': restore_seconds, 'digest_seconds': digest_seconds}


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument('--versions', default='v1,v3,conv_ae')
  parser.add_argument('--repetitions', type=int, default=5)
  args = parser.parse_args()
  print('| model | checkpoint MB | save s | restore s | digest s (in each) | digest share of save |')
  print('| --- | --- | --- | --- | --- | --- |')
  for version in args.versions.split(','):
    row = measure(version, args.repetitions)
    print(f"| {version} | {row['megabytes']:.1f} | {row['save_seconds']:.3f} | "
          f"{row['restore_seconds']:.3f} | {row['digest_seconds']:.3f} | "
          f"{row['digest_seconds'] / row['save_seconds']:.0%} |")


if __name__ == '__main__':
  main()
