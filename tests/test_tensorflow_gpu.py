"""TensorFlow only reads the datasets: it must never claim a GPU that JAX needs."""

from jax_ae.datasets import data
from tests.helpers import tiny_config


def test_loading_data_hides_every_gpu_from_tensorflow_first(mock_tfds, monkeypatch):
  del mock_tfds
  import tensorflow as tf  # pylint: disable=import-outside-toplevel
  calls = []
  original = tf.config.set_visible_devices
  prepare = data._prepare  # pylint: disable=protected-access

  def recording_set_visible_devices(devices, device_type=None):
    calls.append((list(devices), device_type))
    return original(devices, device_type)

  def recording_prepare(data_config):
    calls.append('prepare')
    return prepare(data_config)

  monkeypatch.setattr(tf.config, 'set_visible_devices', recording_set_visible_devices)
  monkeypatch.setattr(data, '_prepare', recording_prepare)
  dataset = data.load_dataset(tiny_config().data)
  assert calls[:2] == [([], 'GPU'), 'prepare']  # hidden before tfds touches anything
  assert tf.config.get_visible_devices('GPU') == []
  assert dataset['train']['image'].shape[1] == 784
