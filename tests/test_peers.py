"""The benchmark's peers and the step profile: the Keras models mirror ours, the peer
table reads right, and benchmarks/step_profile.py builds every row it prints.

Never their times: speed is measured by `python -m benchmarks.bench_all` and
`python -m benchmarks.step_profile`.
"""

import json
import subprocess
import sys

import jax
import jax.numpy as jnp
import pytest

from benchmarks import bench_all
from benchmarks import keras_reference
from benchmarks import step_profile
from jax_ae import models
from tests.helpers import REPO_ROOT

KERAS_COUNTS = (
    'import json; import numpy as np; from benchmarks import keras_reference as k; keras = k._keras(); '
    'print(json.dumps({v: [sum(int(np.prod(w.shape)) for w in k.notebook_model(v, keras).trainable_weights),'
    ' k.notebook_model(v, keras).output_shape[-1]] for v in k.VERSIONS}))')


@pytest.mark.slow
def test_keras_models_have_our_parameter_counts_and_output_width(make_key):
  # In a process of its own: the backend is fixed when keras is first imported.
  result = subprocess.run([sys.executable, '-c', KERAS_COUNTS], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
  assert result.returncode == 0, result.stderr[-2000:]
  keras_counts = json.loads(result.stdout.strip().splitlines()[-1])
  for version in keras_reference.VERSIONS:
    model = models.create_model(models.default_model_config(version))
    params = model.init(make_key(), jnp.zeros((2, models.IMAGE_PIXELS)))['params']
    ours = sum(leaf.size for leaf in jax.tree.leaves(params))
    assert keras_counts[version] == [ours, models.IMAGE_PIXELS], version


def test_peer_table_gives_each_round_and_its_ratio():
  rounds = {'v1': [{'jax-ae': 1300.0, 'loop': 'scan', 'keras_spe1': 1000.0,
                    'keras_spe100': 1000.0, 'torch': 650.0},
                   {'jax-ae': 1500.0, 'loop': 'scan', 'keras_spe1': 900.0,
                    'keras_spe100': 1200.0}]}
  table = bench_all.format_peers(rounds).splitlines()
  assert table[0].startswith('| version | jax-ae (loop) | Keras spe=1 | Keras spe=100 |')
  assert len(table[1].split('---')) - 1 == len(table[0].split('|')) - 2
  assert table[2] == ('| v1 | 1,300 / 1,500 (scan) | 1,000 / 900 | 1,000 / 1,200 | 650 / n/a '
                      '| 1.30 / 1.25 | 2.00 / n/a |')


def test_a_run_keeps_the_previous_runs_peer_table_and_only_that():
  older = '\n\n'.join(['# Benchmarks', 'Measured 2026-12-01 on a CPU with `x`.', '| table |',
                       f'{bench_all.PEERS_HEADING}: Keras 3', 'Batch 32.', '| v1 | 1 |',
                       f'{bench_all.PREVIOUS_HEADING}: Keras 3', 'Measured earlier.', '| v1 | 0 |'])
  kept = bench_all.previous_peers(older)
  assert kept[0] == f'{bench_all.PREVIOUS_HEADING}: Keras 3'
  assert kept[1].startswith('Measured 2026-12-01 on a CPU with `x`: the run before')
  assert '| v1 | 1 |' in kept[1] and '| v1 | 0 |' not in kept[1]
  assert bench_all.previous_peers('# Benchmarks\n\n| table |') == []


@pytest.mark.slow
def test_step_profile_builds_every_row_for_a_dense_and_a_batchnorm_version():
  for version in ('v1', 'v4'):
    rows = step_profile.profile(version, batch_size=8, num_steps=2, repetitions=1)
    names = [name for name, _ in rows]
    assert names[:len(step_profile.PIECES)] == list(step_profile.PIECES)
    assert names[-2:] == ['jax-ae, scan loop', 'jax-ae, python loop']
    assert len(rows) == len(step_profile.PIECES) + 5
    assert all(micros > 0 for _, micros in rows)
    assert step_profile.format_profile(version, rows).count('\n') == len(rows) + 1
