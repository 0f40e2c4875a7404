"""jax_ae/runtime/host_memory.py: a train step's large temporary buffer reuses the step before's pages.

Counted in page faults, not seconds: each run is a fresh process that imports jax_ae
first, as main.py does, then trains configs/conv_ae.py's network at its batch of 64,
whose step needs one temporary buffer of about 50 MB, above glibc's mmap threshold.
"""

import json
import os
import subprocess
import sys

import pytest

from jax_ae.runtime import host_memory
from tests.helpers import REPO_ROOT

FAULTS_PER_STEP = '''
import json, resource
from jax_ae.runtime import settings
settings.configure_process()  # as main.py does
import jax
from jax_ae.measure import bench
from jax_ae.training import steps
from jax_ae.training import train_loops
config = bench.version_config('conv_ae')
trainer = train_loops.Trainer(config, bench.synthetic_split(4 * config.batch_size))
state, key = trainer.create_state(), steps.shuffle_key(0, 1)
for _ in range(2):
  state, sums = trainer.train_epoch(state, key)
jax.block_until_ready(sums)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
  state, sums = trainer.train_epoch(state, key)
jax.block_until_ready(sums)
after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print(json.dumps({'faults_per_step': (after - before) / 12, 'applied': settings.host_memory._applied}))
'''


def _faults_per_step(keep: str):
  env = {**os.environ, host_memory.ENV_VAR: keep}
  result = subprocess.run([sys.executable, '-c', FAULTS_PER_STEP], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
  assert result.returncode == 0, result.stderr[-2000:]
  return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.skipif(not host_memory.keep_freed_memory(), reason='needs Linux with glibc')
def test_a_conv_train_step_reuses_its_pages_and_would_not_without_the_setting():
  kept = _faults_per_step('1')
  left_alone = _faults_per_step('0')
  assert kept['applied'] and not left_alone['applied']
  # Without the setting each step maps its ~50 MB temporary afresh: 13,000 faults of
  # 4 KiB pages; with it, the pages of the step before serve (1,000 remain per step).
  assert left_alone['faults_per_step'] > 8000, left_alone
  assert kept['faults_per_step'] < 3000, kept
