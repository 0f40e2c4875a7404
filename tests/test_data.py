"""Loading through tfds: mocked, from the real IDX folders, and every way it can fail."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys

import numpy as np
import pytest
from tensorboard.backend.event_processing import event_accumulator

from jax_ae.datasets import data
from jax_ae.errors import UserError
from jax_ae.training import steps
from tests.helpers import REPO_ROOT, shared_data_dir, tiny_config


def _data_config(name='mnist', manual_dir='', tfds_data_dir=''):
  config = tiny_config().data
  config.name = name
  config.manual_dir = str(manual_dir)
  config.tfds_data_dir = str(tfds_data_dir)
  return config


@pytest.mark.parametrize('name', data.DATASETS)
def test_mocked_tfds_gives_flat_unit_range_images_and_int_labels(name, mock_tfds):
  dataset = data.load_dataset(_data_config(name))
  for split in ('train', 'test'):
    images, labels = dataset[split]['image'], dataset[split]['label']
    assert images.shape == (mock_tfds, 784) and images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert labels.shape == (mock_tfds,) and labels.dtype == np.int32
    assert labels.min() >= 0 and labels.max() < 10


def test_manual_dir_placeholder_takes_the_dataset_name():
  config = _data_config('fashion_mnist', manual_dir='/data/{name}')
  assert data.resolve_manual_dir(config) == '/data/fashion_mnist'


def test_missing_manual_folder_is_named(tmp_path):
  with pytest.raises(UserError, match='is not a folder'):
    data.load_dataset(_data_config(manual_dir=tmp_path / 'absent', tfds_data_dir=tmp_path))


def test_manual_folder_lacking_a_file_names_it(tmp_path):
  for name in data.IDX_FILES[:3]:
    (tmp_path / name).write_bytes(b'')
  with pytest.raises(UserError, match='lacks t10k-labels-idx1-ubyte.gz'):
    data.load_dataset(_data_config(manual_dir=tmp_path, tfds_data_dir=tmp_path / 'tfds'))


def test_no_network_and_no_manual_folder_says_both_ways(tmp_path, monkeypatch):
  def unreachable(*args, **kwargs):
    raise OSError('network is unreachable')

  monkeypatch.setattr(socket, 'create_connection', unreachable)
  with pytest.raises(UserError, match='network access or set --config.data.manual_dir'):
    data.load_dataset(_data_config(tfds_data_dir=tmp_path))


def test_unknown_dataset_lists_the_known_ones():
  with pytest.raises(UserError, match='mnist, fashion_mnist'):
    data.load_dataset(_data_config('cifar10'))


@pytest.mark.slow
def test_altered_file_fails_its_checksum_and_is_named(tmp_path):
  manual = tmp_path / 'manual'
  shutil.copytree(shared_data_dir('mnist'), manual)
  labels = manual / 't10k-labels-idx1-ubyte.gz'
  labels.chmod(0o644)
  labels.write_bytes(labels.read_bytes()[:1000])
  with pytest.raises(UserError, match=r't10k-labels-idx1-ubyte.gz is not the canonical mnist'):
    data.load_dataset(_data_config(manual_dir=manual, tfds_data_dir=tmp_path / 'tfds'))


PREPARE_SCRIPT = (
    'import sys\n'
    'from jax_ae.datasets import data\n'
    'from tests.test_data import _data_config\n'
    "split = data.load_dataset(_data_config('mnist', sys.argv[1], sys.argv[2]))['test']\n"
    "print(split['image'].shape[0])\n")


@pytest.fixture(scope='module')
def real_tfds_dir(tmp_path_factory):
  """Both datasets prepared into ONE fresh tfds folder, the case that used to mix them up.

  MNIST is prepared by a newcomer's first command (main.py on configs/v1.py, one epoch
  of it) while a second process asks for it too, started once main.py says it is
  preparing, as a parallel sweep on a fresh machine does
  (test_two_runs_preparing_one_fresh_tfds_folder_both_succeed checks they did); then
  this process prepares Fashion-MNIST beside it and loads both. Returns the folder, the
  datasets, the second process's (returncode, stdout, stderr) and main.py's
  (returncode, console, workdir).
  """
  manual = {name: shared_data_dir(name) for name in data.DATASETS}
  tfds_dir = tmp_path_factory.mktemp('tfds')
  workdir = tmp_path_factory.mktemp('v1') / 'run'
  main_run = subprocess.Popen(
      [sys.executable, 'main.py', '--config=configs/v1.py', f'--workdir={workdir}',
       f'--config.data.manual_dir={manual["mnist"].parent}/{{name}}',
       f'--config.data.tfds_data_dir={tfds_dir}', '--config.num_epochs=1'],
      cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
  console = []
  for line in main_run.stdout:
    console.append(line)
    if line.startswith('preparing mnist once'):
      break
  second = subprocess.Popen([sys.executable, '-c', PREPARE_SCRIPT, str(manual['mnist']),
                             str(tfds_dir)], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
  stdout, stderr = second.communicate(timeout=900)
  preparation = (second.returncode, stdout, stderr)
  datasets = {name: data.load_dataset(_data_config(name, manual[name], tfds_dir))
              for name in data.DATASETS}  # while main.py trains
  console.append(main_run.communicate(timeout=900)[0])
  return tfds_dir, datasets, preparation, (main_run.returncode, ''.join(console), workdir)


@pytest.fixture(scope='module')
def real_datasets(real_tfds_dir):
  return real_tfds_dir[1]


@pytest.mark.slow
@pytest.mark.parametrize('name', data.DATASETS)
def test_real_splits_have_canonical_shapes_and_labels(real_datasets, name):
  dataset = real_datasets[name]
  for split, size in (('train', 60000), ('test', 10000)):
    images, labels = dataset[split]['image'], dataset[split]['label']
    assert images.shape == (size, 784) and images.dtype == np.float32
    assert 0.0 == images.min() and images.max() == 1.0
    counts = np.bincount(labels, minlength=10)
    assert counts.sum() == size and len(counts) == 10
  if name == 'fashion_mnist':  # balanced by construction
    assert (np.bincount(dataset['train']['label']) == 6000).all()
  else:  # MNIST's published test-split class counts
    np.testing.assert_array_equal(np.bincount(dataset['test']['label']),
                                  [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])


@pytest.mark.slow
def test_mnist_and_fashion_mnist_stay_apart_in_one_tfds_folder(real_datasets):
  mnist_mean = real_datasets['mnist']['test']['image'].mean()
  fashion_mean = real_datasets['fashion_mnist']['test']['image'].mean()
  # Pixel means of the test splits: MNIST 0.1325, Fashion-MNIST 0.2868.
  assert abs(mnist_mean - 0.1325) < 0.002
  assert abs(fashion_mean - 0.2868) < 0.002
  assert not np.array_equal(real_datasets['mnist']['train']['image'][:100],
                            real_datasets['fashion_mnist']['train']['image'][:100])


@pytest.mark.slow
def test_an_altered_manual_file_is_refused_though_the_cache_is_prepared(real_tfds_dir, tmp_path):
  manual = tmp_path / 'manual'
  shutil.copytree(shared_data_dir('mnist'), manual)
  images = manual / 'train-images-idx3-ubyte.gz'
  images.chmod(0o644)
  altered = bytearray(images.read_bytes())
  altered[5000] ^= 0xFF  # same size, one byte changed
  images.write_bytes(bytes(altered))
  with pytest.raises(UserError, match=r'train-images-idx3-ubyte.gz is not the canonical mnist '
                                      r'file: expected 9912422 bytes .* got 9912422 bytes'):
    data.load_dataset(_data_config(manual_dir=manual, tfds_data_dir=real_tfds_dir[0]))


@pytest.mark.slow
def test_a_truncated_prepared_cache_names_the_folder_to_delete(real_tfds_dir, tmp_path):
  shutil.copytree(real_tfds_dir[0] / 'mnist', tmp_path / 'mnist')
  version_dir, = (tmp_path / 'mnist').iterdir()
  train_records, = version_dir.glob('mnist-train.tfrecord*')
  with open(train_records, 'r+b') as f:
    f.truncate(os.path.getsize(train_records) // 2)
  with pytest.raises(UserError, match=rf'the prepared mnist data in {version_dir} is damaged '
                                      r'\(truncated record at \d+\); delete that folder'):
    data.load_dataset(_data_config(tfds_data_dir=tmp_path))


@pytest.mark.slow
def test_two_runs_preparing_one_fresh_tfds_folder_both_succeed(real_tfds_dir):
  """As a parallel sweep on a fresh machine does: no 'Cannot rename ... already exists'."""
  returncode, stdout, stderr = real_tfds_dir[2]
  assert returncode == 0, stderr[-3000:]
  assert stdout.split()[-1] == '10000'  # after tfds' own progress lines
  assert real_tfds_dir[3][0] == 0, real_tfds_dir[3][1][-3000:]


@pytest.mark.slow
def test_v1_run_on_real_data_prints_a_line_per_epoch_and_leaves_every_file(real_tfds_dir):
  """A newcomer's first command: at most 20 lines, jax-ae's own; Orbax's chatter in
  log.txt; config, metrics per epoch, pictures, model and TensorBoard events."""
  returncode, console, workdir = real_tfds_dir[3]
  assert returncode == 0, console[-3000:]
  console_lines = console.splitlines()
  assert len(console_lines) <= 20, console
  # jax-ae's own lines only: no TensorFlow start-up notices (oneDNN, absl::InitializeLog).
  ours = re.compile(r'(JAX backend|preparing mnist once|v1 on mnist: |compiling the train step|'
                    r'compiled the train step|epoch \d+/1 |Saved checkpoint|finished: )')
  assert [line for line in console_lines if not ours.match(line)] == [], console_lines
  assert console_lines[-1].startswith(f'finished: {workdir} holds the model')
  epoch_lines = [line for line in console_lines if 'test_loss' in line]
  assert [line.split()[1] for line in epoch_lines] == ['1/1']
  log = (workdir / 'log.txt').read_text()
  assert 'checkpoint_manager.py' in log  # Orbax's chatter is kept, off the console
  assert all(line in log for line in epoch_lines)
  names = set(os.listdir(workdir))
  assert {'config.json', 'metrics.jsonl', 'sessions.jsonl', 'loss_curve.png', 'reconstructions.png',
          'model.msgpack', 'log.txt'} <= names
  assert any(name.startswith('events.out.tfevents') for name in names)
  run_config = json.loads((workdir / 'config.json').read_text())
  assert run_config['model']['name'] == 'v1'
  session, = [json.loads(line) for line in (workdir / 'sessions.jsonl').read_text().splitlines()]
  assert session['config_file'] == 'configs/v1.py' and session['first_epoch'] == 1
  rows = [json.loads(line) for line in (workdir / 'metrics.jsonl').read_text().splitlines()]
  assert [row['epoch'] for row in rows] == [1]
  for row in rows:
    assert {'epoch', 'step', 'train_loss', 'test_loss', 'learning_rate', 'grad_norm',
            'epoch_seconds', 'wall_seconds', 'examples_per_second'} <= set(row)
    assert row['wall_seconds'] > row['epoch_seconds']  # the data's preparation too
    assert np.isfinite(row['test_loss'])
  steps_per_epoch = steps.steps_per_epoch(
      data.NUM_TRAIN_EXAMPLES['mnist'] - run_config['data']['validation_size'],
      run_config['batch_size'])
  assert [row['step'] for row in rows] == [steps_per_epoch]
  for picture in ('loss_curve.png', 'reconstructions.png'):
    assert (workdir / picture).read_bytes().startswith(b'\x89PNG')
  events = event_accumulator.EventAccumulator(str(workdir))
  events.Reload()
  assert {'train_loss', 'test_loss', 'learning_rate', 'grad_norm'} <= set(events.Tags()['scalars'])
  assert [event.step for event in events.Scalars('test_loss')] == [row['step'] for row in rows]
  assert events.Tags()['images'] == ['reconstructions']


def _record_boundary(path, records: int) -> int:
  """The byte offset after the first `records` records of a tfrecord file: each is an
  8-byte length, its 4-byte CRC, the data and the data's 4-byte CRC."""
  offset = 0
  with open(path, 'rb') as f:
    for _ in range(records):
      f.seek(offset)
      offset += 8 + 4 + int.from_bytes(f.read(8), 'little') + 4
  return offset


@pytest.mark.slow
@pytest.mark.parametrize('damage', ['cut at a record boundary', 'dataset_info.json deleted'])
def test_a_prepared_cache_damaged_without_a_read_error_is_one_sentence(damage, real_tfds_dir,
                                                                       tmp_path):
  shutil.copytree(real_tfds_dir[0] / 'mnist', tmp_path / 'mnist')
  version_dir, = (tmp_path / 'mnist').iterdir()
  if damage == 'dataset_info.json deleted':
    (version_dir / 'dataset_info.json').unlink()
    expected = r'KeyError: .*splits'
  else:
    test_records, = version_dir.glob('mnist-test.tfrecord*')
    with open(test_records, 'r+b') as f:
      f.truncate(_record_boundary(test_records, 9000))
    expected = r'\w+'  # tfds' own check of the shard's length, or ours of the split's
  with pytest.raises(UserError, match=rf'the prepared mnist data in {version_dir} is damaged '
                                      rf'\({expected}.*\); delete that folder'):
    data.load_dataset(_data_config(manual_dir=shared_data_dir('mnist'),
                                   tfds_data_dir=tmp_path))
