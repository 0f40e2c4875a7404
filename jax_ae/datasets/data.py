"""tfds in, numpy arrays out: the only module that imports tensorflow(-datasets).

Both are imported inside the functions that need them, so models, steps, tests and
benchmarks import and run on machines without TensorFlow.
"""

import contextlib
import fcntl
import functools
import hashlib
import io
import os
import re
import socket
from typing import Dict
import urllib.parse

from absl import logging
import ml_collections
import numpy as np

from jax_ae import errors
from jax_ae.errors import UserError

DATASETS = ('mnist', 'fashion_mnist')
# Both datasets: 28x28 grey images of 10 classes, each flattened to IMAGE_PIXELS in [0, 1].
IMAGE_SIDE = 28
IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE
NUM_CLASSES = 10
IDX_FILES = (
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
)
NUM_TRAIN_EXAMPLES = {'mnist': 60_000, 'fashion_mnist': 60_000}
NUM_TEST_EXAMPLES = {'mnist': 10_000, 'fashion_mnist': 10_000}
CLASS_NAMES = {
    'mnist': tuple(str(digit) for digit in range(10)),
    'fashion_mnist': ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal',
                      'Shirt', 'Sneaker', 'Bag', 'Ankle boot'),
}

PREPARE_LOCK_FILE = '.jax_ae_prepare.lock'

# A split: {'image': [n, 784] float32 in [0, 1], 'label': [n] int32}.
Split = Dict[str, np.ndarray]


def resolve_manual_dir(data_config: ml_collections.ConfigDict) -> str:
  """The manual folder with '{name}' replaced by the dataset name ('' if unset)."""
  manual_dir = data_config.manual_dir
  return os.path.expanduser(manual_dir.replace('{name}', data_config.name)) if manual_dir else ''


def _check_manual_dir(manual_dir: str, name: str) -> None:
  if not os.path.isdir(manual_dir):
    raise UserError(f'data.manual_dir {manual_dir!r} is not a folder; point it at the '
                    f'folder holding the four {name} IDX .gz files.')
  missing = [f for f in IDX_FILES if not os.path.isfile(os.path.join(manual_dir, f))]
  if missing:
    raise UserError(f'data.manual_dir {manual_dir!r} lacks {", ".join(missing)}; it must hold '
                    f'the four canonical {name} files: {", ".join(IDX_FILES)}.')


def _check_manual_files(builder, manual_dir: str, name: str) -> None:
  """Each IDX file's size and sha256 against those tfds registered for the dataset.

  Checked whenever a manual folder is given, also when the tfds cache is prepared
  already (tfds would not read the folder then): the folder must hold what it says.
  """
  registered = {info.filename or os.path.basename(url): info
                for url, info in (builder.url_infos or {}).items()}
  for filename in IDX_FILES:
    expected = registered.get(filename)
    if expected is None:
      continue
    path = os.path.join(manual_dir, filename)
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
      for chunk in iter(functools.partial(f.read, 1 << 20), b''):
        digest.update(chunk)
    size = os.path.getsize(path)
    if size != int(expected.size) or digest.hexdigest() != expected.checksum:
      raise UserError(f'{path} is not the canonical {name} file: expected {int(expected.size)} '
                      f'bytes of sha256 {expected.checksum[:12]}..., got {size} bytes of '
                      f'{digest.hexdigest()[:12]}...; replace it with the original.')


@contextlib.contextmanager
def _preparation_lock(data_dir_root: str):
  """Holds `data_dir_root/.jax_ae_prepare.lock`, so that runs preparing one tfds folder
  at once take turns rather than racing on tfds' renames."""
  os.makedirs(data_dir_root, exist_ok=True)
  with open(os.path.join(data_dir_root, PREPARE_LOCK_FILE), 'a') as lock_file:
    fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes
    yield


def _hide_gpus_from_tensorflow() -> None:
  """tfds only reads files; keep TensorFlow from claiming GPU memory JAX needs."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.config.set_visible_devices([], 'GPU')


def _download_host_unreachable(builder) -> bool:
  """True when the host of the dataset's files cannot be reached within seconds.

  Without this check tfds retries a download with back-off for minutes before failing.
  """
  hosts = {urllib.parse.urlparse(url).hostname for url in (builder.url_infos or {})}
  for host in hosts:
    try:
      socket.create_connection((host, 443), timeout=5).close()
    except OSError:
      return True
  return False


def _checksum_error_sentence(name: str, error: Exception) -> str:
  """Names the offending file and the size tfds expected, from tfds' message."""
  text = str(error)
  path = re.search(r'downloaded to (\S+?), has wrong checksum', text)
  expected = re.search(r'Expected: UrlInfo\(size=([^,]+),', text)
  got = re.search(r'Got: UrlInfo\(size=([^,]+),', text)
  return (f'{path.group(1) if path else "a file"} is not the canonical {name} file: '
          f'expected {expected.group(1) if expected else "the published checksum"}, got '
          f'{got.group(1) if got else "other content"}; replace it with the original.')


def _prepare(data_config: ml_collections.ConfigDict):
  """Returns a tfds builder whose dataset is prepared, from the manual folder if set."""
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  name = data_config.name
  manual_dir = resolve_manual_dir(data_config)
  if manual_dir:
    _check_manual_dir(manual_dir, name)
  data_dir = os.path.expanduser(data_config.tfds_data_dir) or None
  builder = tfds.builder(name, data_dir=data_dir)
  if manual_dir:
    _check_manual_files(builder, manual_dir, name)
  if builder.is_prepared():
    return builder
  with _preparation_lock(builder.data_dir_root):
    builder = tfds.builder(name, data_dir=data_dir)  # another run may have prepared it meanwhile
    if not builder.is_prepared():
      _download_and_prepare(builder, name, manual_dir)
  return builder


def _download_and_prepare(builder, name: str, manual_dir: str) -> None:
  """tfds' download_and_prepare, from the manual folder if set; UserError if it fails."""
  # pylint: disable=g-import-not-at-top
  import tensorflow_datasets as tfds
  from tensorflow_datasets.core.download import download_manager
  no_data_message = (
      f'{name} is not prepared and cannot be downloaded; either give this machine network '
      f'access or set --config.data.manual_dir to a folder holding {", ".join(IDX_FILES)}.')
  if not manual_dir and _download_host_unreachable(builder):
    raise UserError(no_data_message)
  # mnist and fashion_mnist ship files of the same names and tfds caches extracted
  # files by name: a shared download folder would hand one dataset the other's images.
  download_dir = os.path.join(builder.data_dir_root, 'downloads', name)
  download_config = tfds.download.DownloadConfig(
      manual_dir=manual_dir or None,
      extract_dir=os.path.join(download_dir, 'extracted'))
  logging.info('preparing %s once, from %s into %s...', name,
               _home_as_tilde(manual_dir) if manual_dir else 'the network',
               _home_as_tilde(builder.data_dir))
  # tfds prints two lines of its own to stdout ("Unknown size" when it reads a manual
  # folder); the line above says it instead, and --verbosity=1 logs tfds' too.
  printed = io.StringIO()
  try:
    with contextlib.redirect_stdout(printed):
      builder.download_and_prepare(download_dir=download_dir, download_config=download_config)
  except download_manager.NonMatchingChecksumError as error:
    raise UserError(_checksum_error_sentence(name, error)) from error
  except Exception as error:  # pylint: disable=broad-except
    if manual_dir:
      raise UserError(f'could not prepare {name} from {manual_dir!r}: '
                      f'{errors.first_line(error)}') from error
    raise UserError(no_data_message) from error
  finally:
    for line in printed.getvalue().splitlines():
      if line.strip():
        logging.debug('tfds: %s', line.strip())


def _home_as_tilde(path: str) -> str:
  """`path` with the home folder written `~`, so that a console or notebook output names no
  user's folder."""
  home = os.path.expanduser('~')
  return '~' + path[len(home):] if path == home or path.startswith(home + os.sep) else path


def _read_split(builder, split: str) -> Split:
  """Reads a whole split into memory as flat float images and int labels.

  Reads in batches and concatenates: `as_dataset(batch_size=-1)` aborts TensorFlow
  2.21 inside `tfds.testing.mock_data` (a vector sized for an unbounded batch).
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

  def damaged(what: str) -> UserError:
    return UserError(f'the prepared {builder.name} data in {builder.data_dir} is damaged '
                     f'({what}); delete that folder and run again to prepare it anew.')

  try:
    batches = list(tfds.as_numpy(builder.as_dataset(split=split, batch_size=10_000)))
  except tf.errors.DataLossError as error:  # a truncated or overwritten tfrecord file
    found = re.search(r'(truncated|corrupted) record at \d+', str(error))
    raise damaged(found.group(0) if found else 'an unreadable record') from error
  except Exception as error:  # pylint: disable=broad-except  # e.g. dataset_info.json gone
    text = re.sub(r'\{\{function_node [^}]*\}\}\s*', '', str(error)).strip()
    raise damaged(f'{type(error).__name__}: {text.splitlines()[0][:160]}' if text
                  else type(error).__name__) from error
  images = np.concatenate([batch['image'] for batch in batches]) if batches else np.zeros(
      (0, 28, 28, 1), np.uint8)
  labels = np.concatenate([batch['label'] for batch in batches]) if batches else np.zeros(
      (0,), np.int64)
  try:
    expected = builder.info.splits[split].num_examples
  except KeyError:  # tfds.testing.mock_data's builders list no splits
    expected = images.shape[0]
  if images.shape[0] != expected:  # a tfrecord cut short can read as a shorter split
    raise damaged(f'its {split} split has {images.shape[0]} examples, not {expected}')
  return {
      'image': images.reshape(images.shape[0], -1).astype(np.float32) / 255.0,
      'label': labels.astype(np.int32),
  }


def load_dataset(data_config: ml_collections.ConfigDict) -> Dict[str, Split]:
  """Loads `data_config.name` whole into memory as {'train', 'test'[, 'validation']} Splits.

  Images come flattened to [n, 784] float32 in [0, 1]; labels as [n] int32. With
  `data_config.validation_size` > 0, that many training examples become 'validation'
  (`split_off_validation`); with `data_config.train_subset` > 0, training keeps only the
  first that many of the rest. Raises UserError, with what to do, where the data cannot be had.
  """
  if data_config.name not in DATASETS:
    raise UserError(f'unknown data.name {data_config.name!r}; choose one of {", ".join(DATASETS)}.')
  try:
    _hide_gpus_from_tensorflow()
  except ImportError as error:
    raise UserError(f'training needs tensorflow-datasets ({error}); install the project with '
                    f'`pip install -e .`, or use --mode=bench, which needs no data.') from error
  builder = _prepare(data_config)
  return select_examples({split: _read_split(builder, split) for split in ('train', 'test')},
                         data_config)


def select_examples(dataset: Dict[str, Split],
                    data_config: ml_collections.ConfigDict) -> Dict[str, Split]:
  """The splits a run uses from tfds's whole train and test splits: the validation
  split held out (`split_off_validation`), then the training subset if any."""
  dataset = split_off_validation(dataset, data_config.validation_size)
  subset = data_config.train_subset
  if subset:  # the first N, in tfds's fixed order: the same examples every run
    dataset['train'] = {name: array[:subset] for name, array in dataset['train'].items()}
  return dataset


def split_off_validation(dataset: Dict[str, Split], validation_size: int) -> Dict[str, Split]:
  """Holds out the last `validation_size` examples of the training split as 'validation'.

  The last ones in tfds's fixed order, so the subset is the same in every run, whatever
  the seed, and training never sees it: configs are tuned on it, and the test split is
  only reported. 0 returns `dataset` unchanged.
  """
  if not validation_size:
    return dataset
  train = dataset['train']
  return {**dataset,
          'train': {name: array[:-validation_size] for name, array in train.items()},
          'validation': {name: array[-validation_size:] for name, array in train.items()}}
