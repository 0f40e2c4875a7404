"""`python -m tests.two_process_run ID PORT WORKDIR OUT [EPOCHS]`: one of two processes in one run.

tests/test_sharding.py starts two of these over loopback. They train a tiny V4 on
tests/mock_arrays.py's random examples (the same in both: drawn from a fixed seed)
through `train.train_and_evaluate`, as main.py would, and each saves the parameters
it ended with to OUT/params_ID.npz for the test to compare.
"""

import os
import sys

from absl import logging
import jax
import numpy as np

from jax_ae.errors import Interrupted
from jax_ae.runtime import multihost
from jax_ae.training import train
from tests import mock_arrays
from tests.helpers import MOCK_EXAMPLES, tiny_config


def main(process_id: int, port: int, workdir: str, out: str, num_epochs: int = 2) -> None:
  logging.set_verbosity(logging.INFO)  # as main.py's absl app.run would log
  logging.set_stderrthreshold(logging.INFO)
  multihost.initialize(f'localhost:{port}', num_processes=2, process_id=process_id)
  assert jax.process_count() == 2 and jax.device_count() == 2 * jax.local_device_count()
  mock_arrays.install(MOCK_EXAMPLES)
  config = tiny_config('v4')
  config.num_epochs = num_epochs
  try:
    state = train.train_and_evaluate(config, workdir)
  except Interrupted as error:
    jax.distributed.shutdown()
    sys.exit(error.exit_code)
  leaves = jax.tree_util.tree_leaves_with_path(jax.device_get((state.params, state.batch_stats)))
  np.savez(os.path.join(out, f'params_{process_id}.npz'),
           **{jax.tree_util.keystr(path): leaf for path, leaf in leaves})
  jax.distributed.shutdown()


if __name__ == '__main__':
  main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], *map(int, sys.argv[5:]))
