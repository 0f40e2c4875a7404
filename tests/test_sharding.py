"""Data parallelism: 8 CPU devices train as one does, and an uneven batch is refused."""

import json
import os
import signal
import socket
import subprocess
import sys

import numpy as np
import pytest

from jax_ae.config import config_checks
from jax_ae.errors import ConfigError
from tests import sharded_check
from tests.helpers import REPO_ROOT, tiny_config


@pytest.fixture(scope='module')
def sharded_results():
  env = dict(os.environ, JAX_PLATFORMS='cpu')
  result = subprocess.run([sys.executable, '-m', 'tests.sharded_check'], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=900, check=False)
  assert result.returncode == 0, result.stderr[-3000:]
  return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize('model, loop', [(model, loop) for model, loop, dtype in
                                         sharded_check.CASES if dtype == 'float64'])
def test_eight_devices_train_as_one_in_float64(model, loop, sharded_results):
  result = sharded_results[f'{model}/{loop}/float64']
  assert result['devices'] == 8
  assert result['dtypes'] == ['float64']
  # Every parameter but the BatchNorm-fed biases, every batch statistic, the test loss:
  # float64 rounding of two summation orders, ~1e-12 after 3 steps of a chaotic model.
  assert result['params'] < 1e-10
  assert result['batch_stats'] < 1e-10
  assert result['test_loss'] < 1e-10
  if model == 'v5':
    # 2 examples per device: per-device moments would give other running statistics.
    assert result['input_norm_vs_global_batch'] < 1e-12


@pytest.mark.slow
def test_eight_devices_train_as_one_in_float32_to_the_test_loss(sharded_results):
  result = sharded_results['v5/scan/float32']
  assert result['devices'] == 8 and result['dtypes'] == ['float32']
  # The production dtype: a few 1e-5 relative on some CPUs, chaos included; a
  # sharding error (per-device moments, a missing all-reduce) moves it by far more.
  assert result['relative_test_loss'] < 1e-2


def test_a_batch_that_does_not_split_over_the_devices_is_refused():
  config = tiny_config()
  config.batch_size, config.eval_batch_size = 30, 16
  with pytest.raises(ConfigError, match=r'^--config\.batch_size 30 does not split evenly over 8 '
                                        r'devices; use a multiple of 8\.$'):
    config_checks.check_batches_divide(config, 8)
  config.batch_size, config.eval_batch_size = 33, 1000
  with pytest.raises(ConfigError, match=r'--config\.eval_batch_size 1000 does not split evenly '
                                        r'over 3'):
    config_checks.check_batches_divide(config, 3)
  config.eval_batch_size, config.bench.batch_sizes = 999, (33, 64)
  with pytest.raises(ConfigError, match=r'--config\.bench\.batch_sizes 64 does not split'):
    config_checks.check_batches_divide(config, 3)


def _free_port() -> int:
  with socket.socket() as probe:
    probe.bind(('localhost', 0))
    return probe.getsockname()[1]


def _start_two_processes(workdir, out, *args):
  port = _free_port()
  env = dict(os.environ, JAX_PLATFORMS='cpu')
  return [subprocess.Popen(
      [sys.executable, '-m', 'tests.two_process_run', str(process_id), str(port), str(workdir),
       str(out), *args], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
      text=True) for process_id in (0, 1)]


def _finish(processes):
  outputs = [process.communicate(timeout=600) for process in processes]
  return [process.returncode for process in processes], outputs


@pytest.mark.slow
def test_two_processes_stop_together_resume_and_only_the_first_writes(tmp_path):
  workdir, out = tmp_path / 'run', tmp_path / 'out'
  out.mkdir()
  processes = _start_two_processes(workdir, out, '400')
  metrics = workdir / 'metrics.jsonl'
  seen = []
  for line in processes[0].stderr:  # blocks until the first process logs epoch 2
    seen.append(line)
    if 'epoch 2/400' in line:
      break
  else:
    raise AssertionError(''.join(seen)[-3000:])
  processes[1].send_signal(signal.SIGTERM)  # only the second process is told
  codes, outputs = _finish(processes)
  assert codes == [143, 143], [stderr[-2000:] for _, stderr in outputs]
  stopped_at = len(metrics.read_text().splitlines())
  assert stopped_at < 400
  # Both resume from the checkpoint they wrote together and finish in agreement.
  codes, outputs = _finish(_start_two_processes(workdir, out, str(stopped_at + 2)))
  assert codes == [0, 0], [stderr[-3000:] for _, stderr in outputs]
  first, second = (np.load(out / f'params_{i}.npz') for i in (0, 1))
  assert set(first) == set(second)
  for name in first:
    np.testing.assert_array_equal(first[name], second[name])
  # One writer: a TensorBoard file per run of the first process, each epoch's metrics
  # once, the model once.
  names = os.listdir(workdir)
  assert len([name for name in names if name.startswith('events.out.tfevents')]) == 2
  epochs = [json.loads(line)['epoch'] for line in metrics.read_text().splitlines()]
  assert epochs == list(range(1, stopped_at + 3))
  assert {'model.msgpack', 'config.json', 'loss_curve.png', 'reconstructions.png'} <= set(names)
  # The first process logs the epochs; the second only warnings and errors.
  last_epoch = f'epoch {stopped_at + 2}/{stopped_at + 2}'
  assert last_epoch in outputs[0][1] and last_epoch not in outputs[1][1]


@pytest.mark.slow
def test_the_trainer_spans_every_device_by_default(sharded_results):
  # sharded_check builds its 8-device Trainers without naming any devices.
  assert {case: result['mesh'] for case, result in sharded_results.items()} == {
      case: {'data': 8} for case in sharded_results}


@pytest.mark.slow
def test_main_refuses_an_uneven_batch_before_loading_data(tmp_path):
  env = dict(os.environ, XLA_FLAGS='--xla_force_host_platform_device_count=8',
             JAX_PLATFORMS='cpu')
  result = subprocess.run(
      [sys.executable, 'main.py', '--config=configs/v1.py', f'--workdir={tmp_path}',
       '--config.batch_size=30', '--config.data.manual_dir=/nonexistent'],
      cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
  assert result.returncode == 2
  assert ('error: --config.batch_size 30 does not split evenly over 8 devices; use a multiple '
          'of 8.'
          in result.stderr.splitlines())
