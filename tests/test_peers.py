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
from benchmarks import torch_dense_records
from jax_ae.measure import bench
from jax_ae.models import networks
from tests.helpers import REPO_ROOT

KERAS_COUNTS = (
    'import json; import numpy as np; from benchmarks import keras_reference as k; keras = k._keras(); '
    'models = {v: k.notebook_model(v, keras) for v in k.VERSIONS}; '
    'print(json.dumps({v: [sum(int(np.prod(w.shape)) for w in m.trainable_weights), m.output_shape[-1]]'
    ' for v, m in models.items()}))')


@pytest.mark.slow
def test_keras_models_have_our_parameter_counts_and_output_width(make_key):
  # In a process of its own: the backend is fixed when keras is first imported.
  result = subprocess.run([sys.executable, '-c', KERAS_COUNTS], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
  assert result.returncode == 0, result.stderr[-2000:]
  keras_counts = json.loads(result.stdout.strip().splitlines()[-1])
  for version in keras_reference.VERSIONS:
    model = networks.create_model(networks.default_model_config(version))
    params = jax.eval_shape(model.init, make_key(), jnp.zeros((2, networks.IMAGE_PIXELS)))['params']
    ours = sum(leaf.size for leaf in jax.tree.leaves(params))
    assert keras_counts[version] == [ours, networks.IMAGE_PIXELS], version


def test_peer_table_gives_medians_ranges_and_the_rounds_ratios():
  ours, keras, eager, last = ('jax-ae', 'auto'), ('keras', '100'), ('torch', 'eager'), (
      'torch', 'channels_last')
  rounds = {'v1': [{ours: 1300.0, keras: 1000.0, eager: 650.0},
                   {ours: 1500.0, keras: 1200.0},
                   {ours: 1000.0, keras: 500.0, eager: 500.0}],
            'mnist10': [{ours: 12.0, eager: 8.0, last: 10.0},
                        {ours: 6.0, eager: 6.0, last: 6.0}]}
  table = bench_all.format_peers(rounds).splitlines()
  assert table[0].startswith('| network | batch | jax-ae | Keras spe=100 | PyTorch eager |')
  assert len(table[1].split('---')) - 1 == len(table[0].split('|')) - 2
  # Ratios within each round: v1 1.30, 1.25, 2.00 against Keras; 2.00, 2.00 against eager.
  assert table[2] == ('| v1 | 32 | 1,300 (1,000-1,500) | 1,000 (500-1,200) | 575 (500-650) | n/a '
                      '| n/a | 1.30 (1.25-2.00) | 2.00 (2.00-2.00) vs eager |')
  # channels_last has the higher median (8.0 against 7.0), so it is "the fastest PyTorch".
  assert table[3] == ('| mnist10 | 64 | 9.0 (6.0-12.0) | n/a | 7.0 (6.0-8.0) | 8.0 (6.0-10.0) '
                      '| n/a | n/a | 1.10 (1.00-1.20) vs channels_last |')


def test_record_networks_meet_pytorchs_conv_settings_and_versions_keras():
  assert ('torch', 'channels_last') in bench_all.peers_of('mnist10')
  assert ('keras', '100') not in bench_all.peers_of('mnist10')
  assert bench_all.peers_of('v3') == [('jax-ae', 'auto'), ('keras', '100'), ('torch', 'eager')]
  assert bench_all.batch_size_of('cnn_fashion_wide') == 64 and bench_all.batch_size_of('v1') == 32


@pytest.mark.slow
def test_a_peer_that_cannot_run_is_left_out_but_jax_ae_failing_is_an_error():
  assert bench_all.peer_steps_per_second('torch', 'no-such-setting', 'v1', 1) is None
  with pytest.raises(RuntimeError, match='benchmarks.peer jax-ae'):
    bench_all.peer_steps_per_second('jax-ae', 'auto', 'no_such_config', 1)


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
def test_step_profile_builds_every_row_for_a_batchnorm_version():
  # V4: BatchNorm's running statistics travel through every row's loop; a model
  # without them is the same loops with an empty collection (20 compilations less).
  rows = step_profile.profile('v4', batch_size=8, num_steps=2, repetitions=1)
  names = [name for name, _ in rows]
  assert names[:len(step_profile.PIECES)] == list(step_profile.PIECES)
  assert names[-2:] == ['jax-ae, scan loop', 'jax-ae, python loop']
  assert len(rows) == len(step_profile.PIECES) + 5
  assert all(micros > 0 for _, micros in rows)
  assert step_profile.format_profile('v4', rows).count('\n') == len(rows) + 1


def test_conv_floor_finds_every_conv_of_the_record_networks_in_call_order():
  from benchmarks import conv_floor  # pylint: disable=g-import-not-at-top
  assert conv_floor.conv_shapes('mnist10') == [
      (28, 28, 1, 16), (28, 28, 16, 16), (14, 14, 16, 32), (14, 14, 32, 32),
      (14, 14, 32, 32), (14, 14, 32, 32), (28, 28, 32, 16), (28, 28, 16, 16), (28, 28, 16, 1)]
  assert conv_floor.conv_shapes('cnn_fashion_wide') == [
      (28, 28, 1, 48), (14, 14, 48, 96), (7, 7, 96, 192)]
  assert conv_floor.xla_ms((4, 4, 2, 3)) > 0


def test_memory_passes_counts_a_dense_step_in_passes_over_its_parameters():
  from benchmarks import memory_passes  # pylint: disable=g-import-not-at-top
  assert memory_passes.bandwidth_bytes_per_second(num_floats=1024) > 0


def test_op_profile_names_the_role_of_each_kind_of_instruction():
  from benchmarks import op_profile  # pylint: disable=g-import-not-at-top
  conv = 'jit(step)/jvp(ConvAutoencoder)/decoder/Conv_2/conv_general_dilated'
  assert op_profile.role('ynn_fusion.1', 'f32[64,28,28,16]{3,2,1,0}', conv) == 'conv forward'
  assert op_profile.role('ynn_fusion.2', 'f32[64,28,28,16]{3,2,1,0}',
                         conv.replace('jvp(', 'transpose(jvp(')) == 'conv input gradient'
  assert op_profile.role('ynn_fusion.3', 'f32[32,3,3,16]{3,2,1,0}', '') == 'conv kernel gradient'
  assert op_profile.role('transpose_copy_fusion.4', 'f32[16,28,28,64]{3,2,1,0}',
                         '') == 'layout transposes'
  assert op_profile.role('fusion', 'f32[64,28,28,16]', 'jvp(M)/encoder/TorchBatchNorm_1/sub') == 'BatchNorm'
  assert op_profile.role('fusion', 'f32[1000,1500]', 'jit(step)/cond/branch_1_fun/add') == 'optimizer update'
  assert op_profile.role('ynn_fusion.13', 'f32[32,47]',
                         'jit(step)/while/body/grad_norm/square') == 'gradient norm'
  names = op_profile.hlo_instructions(
      '  %ynn_fusion.7 = f32[64,10]{1,0} fusion(%a), kind=kCustom, '
      'metadata={op_name="jit(f)/Dense_0/dot_general"}\n  ROOT %t = f32[2] add(%b, %c)')
  assert names == {'ynn_fusion.7': ('f32[64,10]{1,0}', 'ynn_fusion.7', 'jit(f)/Dense_0/dot_general'),
                   't': ('f32[2]', 'add', '')}
  # A YNNPACK fusion's own line names no op: the ops inside the computation it calls do.
  names = op_profile.hlo_instructions(
      '%fused_computation.13 (p.0: f32[], p.1: f32[1000,1500]) -> f32[32,47] {\n'
      '  %p.1 = f32[1000,1500]{1,0} parameter(1)\n'
      '  %square.73 = f32[1000,1500]{1,0} multiply(%p.1, %p.1), '
      'metadata={op_name="jit(f)/while/body/grad_norm/square"}\n'
      '  ROOT %r = f32[32,47]{1,0} reduce-window(%square.73, %p.0), window={size=32x32}\n}\n'
      'ENTRY %main.1 (a: f32[1000,1500]) -> f32[32,47] {\n'
      '  ROOT %ynn_fusion.13 = f32[32,47]{1,0} fusion(%c, %a), kind=kCustom, '
      'calls=%fused_computation.13\n}')
  assert names['ynn_fusion.13'] == ('f32[32,47]{1,0}', 'ynn_fusion.13',
                                    'jit(f)/while/body/grad_norm/square')


@pytest.mark.slow
def test_op_profile_times_every_role_of_a_conv_step():
  from benchmarks import op_profile  # pylint: disable=g-import-not-at-top
  rows, (span, covered) = op_profile.profile('conv_ae', num_steps=2)
  roles = {row_role for _, row_role, _, _ in rows}
  assert {'conv forward', 'conv kernel gradient', 'BatchNorm'} <= roles
  assert all(millis >= 0 for *_, millis in rows)
  assert 0 < covered <= span


def test_op_profile_counts_overlapping_operations_once_and_the_gaps_not_at_all():
  from benchmarks import op_profile  # pylint: disable=g-import-not-at-top
  # [0, 4) and [2, 5) overlap; [7, 8) follows a gap of 2; [7.5, 7.75) lies inside it.
  assert op_profile.span_and_covered([(7, 1), (0, 4), (2, 3), (7.5, 0.25)]) == (8, 6)
  assert op_profile.span_and_covered([]) == (0.0, 0.0)


@pytest.mark.parametrize('network', sorted(torch_dense_records.DENSE_RECORDS))
def test_the_dense_record_twins_train_what_their_configs_train(network):
  # Written out in the twin so that its process imports no jax: checked here, field by field.
  config = bench.version_config(network)
  assert config.model.name == 'hinton2006' and config.task == 'reconstruct'
  assert (config.optim.name, config.optim.schedule, config.optim.reconstruction_loss) == (
      'adam', 'cosine', 'mse')
  assert (config.model.dropout_rate, config.model.label_weight, config.optim.clip_norm) == (0, 0, 0)
  assert not config.augment.flip and not config.augment.erase_size
  assert config.data.validation_size == 60000 - torch_dense_records.TRAIN_EXAMPLES
  assert torch_dense_records.DENSE_RECORDS[network] == dict(
      hidden_widths=tuple(config.model.hidden_widths), code_dim=config.model.code_dim,
      hidden_activation=config.model.hidden_activation, max_shift=config.augment.max_shift,
      learning_rate=config.optim.learning_rate, warmup_epochs=config.optim.warmup_epochs,
      weight_decay=config.optim.weight_decay, ema_decay=config.optim.ema_decay,
      num_epochs=config.num_epochs, batch_size=config.batch_size)
  assert bench_all.peers_of(network) == [('jax-ae', 'auto'), ('keras', '100'),
                                         ('torch', 'eager'), ('torch', 'compile')]
  assert bench_all.batch_size_of(network) == config.batch_size


KERAS_DENSE_RECORDS = (
    'import json; import numpy as np; from benchmarks import keras_reference as k, '
    'torch_dense_records as t; keras = k._keras(); '
    'counts = {n: sum(int(np.prod(w.shape)) for w in k.dense_record_model(r, keras).trainable_weights)'
    ' for n, r in t.DENSE_RECORDS.items()}; '
    'x = np.arange(2 * 784, dtype=np.float32).reshape(2, 784) + 1; '
    'shift = k._random_shift(keras, 1); moved = np.asarray(shift(x, training=True)); '
    'rate = k.keras_dense_record_steps_per_second("mnist10_dense_gelu", 4, 2, 1, 100); '
    'print(json.dumps([counts, moved.tolist(), np.array_equal(np.asarray(shift(x)), x), rate]))')


@pytest.mark.slow
def test_the_keras_dense_record_twins_have_our_parameters_and_shift_in_training_only(make_key):
  result = subprocess.run([sys.executable, '-c', KERAS_DENSE_RECORDS], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
  assert result.returncode == 0, result.stderr[-2000:]
  counts, moved, unmoved_in_evaluation, rate = json.loads(result.stdout.strip().splitlines()[-1])
  for network, count in counts.items():
    model = networks.create_model(bench.version_config(network).model)
    ours = jax.eval_shape(model.init, make_key(), jnp.zeros((2, networks.IMAGE_PIXELS)))['params']
    assert count == sum(leaf.size for leaf in jax.tree.leaves(ours)), network
  for index, image in enumerate(moved):
    inside = [value for value in image if value > 0]
    assert len(inside) >= 27 * 27 and set(inside) <= set(range(784 * index + 1, 784 * index + 785))
  assert unmoved_in_evaluation and rate > 0


@pytest.mark.slow
def test_the_dense_record_twin_has_our_parameters_shifts_and_steps(make_key):
  torch = pytest.importorskip('torch')
  record = torch_dense_records.DENSE_RECORDS['mnist10_dense_gelu']
  model = torch_dense_records.dense_model(record, torch)
  config = bench.version_config('mnist10_dense_gelu')
  ours = jax.eval_shape(networks.create_model(config.model).init, make_key(),
                        jnp.zeros((2, networks.IMAGE_PIXELS)))['params']
  assert sum(p.numel() for p in model.parameters()) == sum(
      leaf.size for leaf in jax.tree.leaves(ours))
  assert model(torch.rand(3, 784)).shape == (3, 784)
  images = torch.arange(2 * 784, dtype=torch.float32).reshape(2, 784) + 1
  moved = torch_dense_records.shifted(images, 1, torch).reshape(2, 28, 28)
  for original, image in zip(images.reshape(2, 28, 28), moved):
    inside = image[image > 0]  # what is left after up to a pixel's shift, zeros let in
    assert len(inside) >= 27 * 27 and set(inside.tolist()) <= set(original.flatten().tolist())
  assert torch_dense_records.steps_per_second('mnist10_dense_gelu', 4, 2, 1) > 0


@pytest.mark.slow
def test_conv_floor_times_pytorch_without_jax_at_the_xla_processes_thread_count():
  pytest.importorskip('torch')
  code = ('import json, os, sys; from benchmarks import conv_floor as c; '
          "result = c.measure('torch_nchw', [(4, 4, 2, 3)]); "
          "print(json.dumps([result['threads'], len(os.sched_getaffinity(0)), result['ms'][0], "
          "sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'jax_ae', 'jaxlib'))]))")
  result = subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
  assert result.returncode == 0, result.stderr[-2000:]
  threads, cores, milliseconds, imported = json.loads(result.stdout.strip().splitlines()[-1])
  assert threads == cores and milliseconds > 0 and imported == []
  from benchmarks import conv_floor  # pylint: disable=g-import-not-at-top
  table = conv_floor.format_table('tiny', [(4, 4, 2, 3)], {
      framework: [{'ms': [1.0], 'threads': 2}, {'ms': [3.0], 'threads': 2}]
      for framework in conv_floor.FRAMEWORKS})
  assert '| threads | 2 | 2 | 2 | 2 |' in table and '| 4x4, 2 -> 3 | 2.00 |' in table
