"""The benchmark's structure, never its times (tests/test_twin.py pairs the PyTorch models)."""

import json
import re
import subprocess
import sys

from hypothesis import given, settings, strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jax_ae.measure import bench
from jax_ae.models import networks
from jax_ae.runtime import host
from tests.helpers import REPO_ROOT, tiny_config


def test_flops_are_counted_from_the_dense_shapes(make_key):
  config = tiny_config('v1')
  config.model.hidden_units = 128
  config.model.code_dim = 10
  model = networks.create_model(config.model)
  variables = model.init(make_key(), jnp.zeros((2, 784)))
  # By hand: the input layer needs no input gradient (4 FLOPs per weight), the others 6.
  # 4 * 784*128 + 6 * (128*10 + 10*128 + 128*784) = 401,408 + 617,472.
  assert bench.model_flops_per_example(model, variables) == 1_018_880


@pytest.mark.slow
def test_convolution_flops_count_every_output_pixel(make_key):
  config = tiny_config('cnn')
  config.model.features = (4, 8)
  config.model.dense_units = 16
  model = networks.create_model(config.model)
  variables = model.init(make_key(), jnp.zeros((2, 784)))
  # By hand, per weight and output pixel: conv 1->4 on 28x28 (reads the image: 4 FLOPs),
  # conv 4->8 on 14x14, dense 7*7*8->16, 16->10 (6 FLOPs each):
  # 4*9*4*784 + 6*9*32*196 + 6*392*16 + 6*160 = 112,896 + 338,688 + 37,632 + 960.
  assert bench.model_flops_per_example(model, variables) == 490_176


@settings(max_examples=50)
@given(batch_size=st.integers(1, 100_000))
def test_a_timed_run_takes_about_6400_examples_in_10_to_200_steps(batch_size):
  steps = bench.steps_to_time(batch_size)
  assert 10 <= steps <= 200
  if 10 < steps < 200:  # not at a bound: the most whole batches within 6400 examples
    assert steps * batch_size <= 6400 < (steps + 1) * batch_size
  elif steps == 200:  # small batches: capped, still under 6400 examples
    assert steps * batch_size <= 6400
  else:  # large batches: at least 10 steps, each a full batch
    assert 6400 // batch_size <= 10


@pytest.mark.slow
@pytest.mark.parametrize('loop', ('python', 'scan'))
def test_a_measurement_has_every_column_and_sane_values(loop, monkeypatch):
  config = tiny_config('v4')
  config.train.loop = loop
  config.bench.repetitions = 1
  timed = iter((0.5, 0.25))  # seconds the train epoch, then the evaluation, are said to take

  def run_once_in_fixed_time(run, repetitions):
    del repetitions
    jax.block_until_ready(run())
    return next(timed)

  monkeypatch.setattr(bench, 'median_seconds', run_once_in_fixed_time)
  row = bench.measure(config, 16, peak_flops=1e12)
  assert set(row) == set(bench.COLUMNS)
  assert row['loop'] == loop and row['batch_size'] == 16 and row['version'] == 'v4'
  assert row['compile_seconds'] > 0
  # By hand: batch 16 is timed over 200 steps, 3,200 examples, in 0.5 s; the 10,000
  # test examples in 0.25 s; an epoch is 60,000 examples. Tiny V4, 784-32-16-4-16-32-784:
  # 4 * 784*32 + 6 * (32*16 + 16*4 + 4*16 + 16*32 + 32*784) = 257,792 FLOPs per example.
  expected = {'train_steps_per_second': 400.0, 'train_examples_per_second': 6400.0,
              'eval_examples_per_second': 40_000.0, 'epoch_seconds': 9.375,
              'model_flops_per_example': 257_792,
              'achieved_flops_per_second': 1_649_868_800.0, 'flops_utilization': 1.6498688e-3}
  np.testing.assert_allclose([row[name] for name in expected], list(expected.values()),
                             rtol=1e-12)


@pytest.mark.slow
def test_bench_mode_writes_a_row_per_batch_size_tells_its_compile_times_and_needs_no_tensorflow(
    tmp_path):
  # The batch sizes come from the command line, parsed as a list (their checks:
  # tests/test_config_checks.py). `-X importtime` lists every module the process imported.
  result = subprocess.run(
      [sys.executable, '-X', 'importtime', 'main.py', '--mode=bench', '--config=configs/v1.py',
       f'--workdir={tmp_path}', '--config.bench.batch_sizes=8,16', '--config.bench.repetitions=1',
       '--config.model.hidden_units=16'],
      cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)
  assert result.returncode == 0, result.stderr[-2000:]
  rows = json.loads((tmp_path / 'bench.json').read_text())
  assert [row['batch_size'] for row in rows] == [8, 16]
  assert '| v1 |' in result.stdout
  told = [float(seconds) for seconds in
          re.findall(r'compiled the train step in ([\d.]+) s\.', result.stderr)]
  assert told == [round(row['compile_seconds'], 1) for row in rows], result.stderr[-2000:]
  imported = re.findall(r'^import time:.*\| +([\w.]+)$', result.stderr, flags=re.MULTILINE)
  assert 'jax_ae.measure.bench' in imported and 'optax' in imported
  assert not [name for name in imported if name.split('.')[0] == 'tensorflow']


def test_the_host_line_names_the_cpu_its_instruction_sets_cores_and_jaxlib():
  import jaxlib.version  # pylint: disable=g-import-not-at-top,import-outside-toplevel
  line = host.describe()
  model, isa, cores, rest = line.split(', ', 3)
  assert model and isa
  assert re.fullmatch(r'\d+ cores', cores) and int(cores.split()[0]) >= 1
  assert rest.startswith(f'jaxlib {jaxlib.version.__version__} on {jax.default_backend()} (')
