"""tfds in, numpy arrays out: the only module that imports tensorflow(-datasets).

Both are imported inside the functions that need them, so models, steps, tests and
benchmarks import and run on machines without TensorFlow.
"""

import os
from typing import Dict

import ml_collections
import numpy as np

from jax_ae.errors import UserError

DATASETS = ('mnist', 'fashion_mnist')
IDX_FILES = (
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
)
CLASS_NAMES = {
    'mnist': tuple(str(digit) for digit in range(10)),
    'fashion_mnist': ('T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal',
                      'Shirt', 'Sneaker', 'Bag', 'Ankle boot'),
}

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


def _hide_gpus_from_tensorflow() -> None:
  """tfds only reads files; keep TensorFlow from claiming GPU memory JAX needs."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.config.set_visible_devices([], 'GPU')


def _prepare(data_config: ml_collections.ConfigDict):
  """Returns a tfds builder whose dataset is prepared, from the manual folder if set."""
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

  name = data_config.name
  manual_dir = resolve_manual_dir(data_config)
  if manual_dir:
    _check_manual_dir(manual_dir, name)
  data_dir = os.path.expanduser(data_config.tfds_data_dir) or None
  builder = tfds.builder(name, data_dir=data_dir)
  # mnist and fashion_mnist ship files of the same names and tfds caches extracted
  # files by name: a shared download folder would hand one dataset the other's images.
  download_dir = os.path.join(builder.data_dir_root, 'downloads', name)
  download_config = tfds.download.DownloadConfig(
      manual_dir=manual_dir or None,
      extract_dir=os.path.join(download_dir, 'extracted'))
  try:
    builder.download_and_prepare(download_dir=download_dir, download_config=download_config)
  except tfds.download.NonMatchingChecksumError as error:
    raise UserError(f'a {name} file does not match its published checksum ({error}); '
                    f'replace it with the canonical file.') from error
  except Exception as error:  # pylint: disable=broad-except
    if manual_dir:
      raise UserError(f'could not prepare {name} from {manual_dir!r}: {error}') from error
    raise UserError(
        f'could not download {name} ({type(error).__name__}); either give this machine '
        f'network access or set --config.data.manual_dir to a folder holding '
        f'{", ".join(IDX_FILES)}.') from error
  return builder


def _to_arrays(tfds_split: Dict[str, np.ndarray]) -> Split:
  images = tfds_split['image']
  return {
      'image': images.reshape(images.shape[0], -1).astype(np.float32) / 255.0,
      'label': tfds_split['label'].astype(np.int32),
  }


def load_dataset(data_config: ml_collections.ConfigDict) -> Dict[str, Split]:
  """Loads `data_config.name` whole into memory as {'train': Split, 'test': Split}.

  Images come flattened to [n, 784] float32 in [0, 1]; labels as [n] int32.
  Raises UserError, with what to do, where the data cannot be had.
  """
  if data_config.name not in DATASETS:
    raise UserError(f'unknown data.name {data_config.name!r}; choose one of {", ".join(DATASETS)}.')
  _hide_gpus_from_tensorflow()
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top

  builder = _prepare(data_config)
  return {split: _to_arrays(tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1)))
          for split in ('train', 'test')}
