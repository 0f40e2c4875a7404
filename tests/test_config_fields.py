"""A field declared in config_fields.FIELDS alone has its default, its check, its line in
`--mode=config --describe` and its resume rule; and the declaration covers every field."""

import contextlib
import io
import json
import logging
import sys

from absl import flags
import pytest

from configs import default
from jax_ae.config import config_checks
from jax_ae.config import config_fields
from jax_ae.errors import ConfigError
from jax_ae.models import networks

from tests.helpers import tiny_config

NEW_FIELDS = [
    config_fields.Field('optim.momentum_hint', 0.5,
                        'A field no module reads, declared by the test.',
                        config_fields.Check('number', lambda value, config: 0 <= value < 1,
                                            'in [0, 1)'), resumable=True),
    config_fields.Field('warm_start', 3, 'Another, which a resumed run may not change.',
                        config_fields.POSITIVE_INT),
]


@pytest.fixture
def declared_more(monkeypatch):
  monkeypatch.setattr(config_fields, 'FIELDS', [*config_fields.FIELDS, *NEW_FIELDS])


def test_a_new_field_is_in_the_default_config_with_its_default(declared_more):
  del declared_more
  config = default.get_config()
  assert config.optim.momentum_hint == 0.5 and config.warm_start == 3
  in_order = list(json.loads(config.to_json())['optim'])
  assert in_order[-1] == 'momentum_hint'  # after the fields declared before


@pytest.mark.parametrize('name, value, message', [
    ('optim.momentum_hint', 1.5, '--config.optim.momentum_hint must be in [0, 1), got 1.5.'),
    ('warm_start', 0, '--config.warm_start must be a positive integer, got 0.'),
])
def test_a_new_field_is_checked(declared_more, name, value, message):
  del declared_more
  config = tiny_config()
  config_checks.validate(config)
  *parents, leaf = name.split('.')
  holder = config
  for parent in parents:
    holder = holder[parent]
  holder[leaf] = value
  with pytest.raises(ConfigError) as raised:
    config_checks.validate(config)
  assert str(raised.value) == message


def _mode_config_describe(*args):
  """What `python main.py --mode=config --describe ARGS` prints, run in this process so that
  it sees the test's declaration."""
  import main  # pylint: disable=g-import-not-at-top,import-outside-toplevel
  argv = ['main.py', '--mode=config', '--describe', *args]
  printed = io.StringIO()
  saved_argv = sys.argv
  absl_logger = logging.getLogger('absl')
  saved_level = absl_logger.level  # parsing --verbosity sets it: later tests read INFO
  def forget_the_parse():
    flags.FLAGS.unparse_flags()
    for name in [name for name in flags.FLAGS if name.startswith('config.')]:
      delattr(flags.FLAGS, name)  # the overrides a parse defines

  try:
    forget_the_parse()
    sys.argv = argv  # ml_collections reads the --config.FIELD overrides from sys.argv
    main.parse_flags(argv)
    with contextlib.redirect_stdout(printed):
      main.main(['main.py'])
  finally:
    sys.argv = saved_argv
    forget_the_parse()
    absl_logger.setLevel(saved_level)
  return printed.getvalue()


def test_a_new_field_is_listed_by_mode_config_describe(declared_more):
  del declared_more
  listing = _mode_config_describe('--config=configs/default.py', '--config.warm_start=4')
  assert ('--config.optim.momentum_hint=0.5  A field no module reads, declared by the test. '
          'May change on resume.') in listing.splitlines()
  assert ('--config.warm_start=4  Another, which a resumed run may not change.'
          in listing.splitlines())


def test_a_new_field_is_classified_for_resume(declared_more, tmp_path):
  del declared_more
  config = default.get_config()
  (tmp_path / 'config.json').write_text(config.to_json())
  config.optim.momentum_hint = 0.25
  config_checks.check_same_run(config, str(tmp_path))  # resumable: no ConfigError
  config.warm_start = 5
  with pytest.raises(ConfigError, match=r'with another config: --config\.warm_start \(3 -> 5\);'):
    config_checks.check_same_run(config, str(tmp_path))


def test_model_fields_are_declared_checked_and_never_resumable(tmp_path):
  for name, spec in networks.REGISTRY.items():
    fields = config_fields.model_fields(name)
    assert [field.name for field in fields] == [f'model.{field}' for field in spec.fields]
    assert not any(field.resumable for field in fields)
  config = tiny_config('cnn')
  (tmp_path / 'config.json').write_text(config.to_json())
  config.model.test_time_flip = True
  with pytest.raises(ConfigError, match=r'--config\.model\.test_time_flip \(False -> True\)'):
    config_checks.check_same_run(config, str(tmp_path))
  with config.model.ignore_type():
    config.model.test_time_flip = 'yes'  # no rule by name: checked for its default's kind
  with pytest.raises(ConfigError, match=r"^--config\.model\.test_time_flip must be True or "
                                        r"False, got 'yes'\.$"):
    config_checks.validate(config)


def _flat_names(tree, prefix=''):
  for key, value in tree.items():
    if isinstance(value, dict):
      yield from _flat_names(value, f'{prefix}{key}.')
    else:
      yield f'{prefix}{key}'


def test_the_default_config_holds_every_declared_field_in_order():
  """Each config file sets declared fields only: tests/test_configs.py checks them all."""
  assert list(_flat_names(json.loads(default.get_config().to_json()))) == [
      field.name for field in config_fields.declared('v1')]
