"""The benchmark's structure, never its times (tests/test_twin.py pairs the PyTorch models)."""

import json
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jax_ae import bench
from jax_ae import models
from tests.helpers import REPO_ROOT, tiny_config


def test_flops_are_counted_from_the_dense_shapes():
  config = tiny_config('v1')
  config.model.hidden_units = 128
  config.model.code_dim = 10
  model = models.create_model(config.model)
  variables = model.init(jax.random.key(0), jnp.zeros((2, 784)))
  # The input layer needs no input gradient (4 FLOPs per weight), the others 6.
  expected = 4 * 784 * 128 + 6 * (128 * 10 + 10 * 128 + 128 * 784)
  assert bench.model_flops_per_example(model, variables) == expected


@pytest.mark.slow
def test_convolution_flops_count_every_output_pixel():
  config = tiny_config('cnn')
  config.model.features = (4, 8)
  config.model.dense_units = 16
  model = models.create_model(config.model)
  variables = model.init(jax.random.key(0), jnp.zeros((2, 784)))
  # conv 1->4 on 28x28 (reads the image), conv 4->8 on 14x14, dense 7*7*8->16, 16->10.
  expected = (4 * 9 * 1 * 4 * 28 * 28 + 6 * 9 * 4 * 8 * 14 * 14
              + 6 * 7 * 7 * 8 * 16 + 6 * 16 * 10)
  assert bench.model_flops_per_example(model, variables) == expected


@pytest.mark.slow
@pytest.mark.parametrize('loop', ('python', 'scan'))
def test_a_measurement_has_every_column_and_sane_values(loop):
  config = tiny_config('v4')
  config.train.loop = loop
  config.bench.repetitions = 1
  row = bench.measure(config, 16, peak_flops=1e12)
  assert set(row) == set(bench.COLUMNS)
  assert row['loop'] == loop and row['batch_size'] == 16 and row['version'] == 'v4'
  np.testing.assert_allclose(row['train_examples_per_second'],
                             16 * row['train_steps_per_second'])
  np.testing.assert_allclose(row['epoch_seconds'] * row['train_examples_per_second'], 60_000)
  np.testing.assert_allclose(row['flops_utilization'] * 1e12, row['achieved_flops_per_second'])
  assert all(row[name] > 0 for name in ('compile_seconds', 'eval_examples_per_second'))


@pytest.mark.slow
def test_bench_mode_writes_one_row_per_batch_size_without_tensorflow(tmp_path):
  code = ('import sys; from jax_ae import bench; from tests.helpers import tiny_config; '
          'config = tiny_config("v1"); config.bench.batch_sizes = (8, 16); '
          'config.bench.repetitions = 1; '
          f'bench.run_bench(config, {str(tmp_path)!r}); '
          'sys.exit("tensorflow" in sys.modules)')
  result = subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=600, check=False)
  assert result.returncode == 0, result.stderr[-2000:]
  rows = json.loads((tmp_path / 'bench.json').read_text())
  assert [row['batch_size'] for row in rows] == [8, 16]
  assert '| v1 |' in result.stdout


@pytest.mark.slow
def test_bench_batch_sizes_parse_from_the_command_line(tmp_path):
  result = subprocess.run(
      [sys.executable, 'main.py', '--mode=bench', '--config=configs/v1.py',
       f'--workdir={tmp_path}', '--config.bench.batch_sizes=0,8'],
      cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
  assert result.returncode == 2
  assert 'bench.batch_sizes must be positive integers' in result.stderr
