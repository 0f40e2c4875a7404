"""Every config file resolves to the dict its runs recorded, and reads alone.

A config names what a run trained: its resolved fields are saved in
tests/testdata/configs/<path under configs/>.json, and a config that resolves differently
fails here. When a change is meant (a new config, or one not yet run), regenerate its
file on purpose and commit it with the change:

    python -m tests.test_configs configs/NAME.py [...]   # no path: every config

Flat, as the Flax examples and big_vision keep them: a config imports configs.default,
or at most one family base that itself imports only configs.default, and lists its
overrides.
"""

import ast
import importlib
import json
import pathlib
import sys
from typing import Dict, List

import pytest

from jax_ae.config import config_fields
from tests.helpers import REPO_ROOT

CONFIGS_DIR = REPO_ROOT / 'configs'
SNAPSHOTS_DIR = REPO_ROOT / 'tests' / 'testdata' / 'configs'
CONFIG_FILES = sorted(str(path.relative_to(REPO_ROOT)) for path in CONFIGS_DIR.rglob('*.py')
                      if not path.name.startswith('_'))
DEFAULT = 'configs/default.py'
# config -> base -> default: the files a config's chain of config imports may hold.
MAX_CHAIN = 3


def config_module(config_file: str):
  """The module of `config_file`, a path under configs/, imported in this process."""
  return importlib.import_module(config_file[:-len('.py')].replace('/', '.'))


def resolved(config_file: str) -> dict:
  """`config_file`'s get_config() as JSON types: tuples become lists, as in the snapshot."""
  return json.loads(json.dumps(config_module(config_file).get_config().to_dict()))


def snapshot_path(config_file: str) -> pathlib.Path:
  return SNAPSHOTS_DIR / pathlib.Path(config_file).relative_to('configs').with_suffix('.json')


def write_snapshot(config_file: str) -> None:
  """Saves what `config_file` resolves to now as the dict its runs recorded."""
  path = snapshot_path(config_file)
  path.parent.mkdir(parents=True, exist_ok=True)
  path.write_text(json.dumps(resolved(config_file), indent=2, sort_keys=True) + '\n')


def _flat(tree: dict, prefix: str = '') -> Dict[str, object]:
  flat = {}
  for key, value in tree.items():
    if isinstance(value, dict):
      flat.update(_flat(value, f'{prefix}{key}.'))
    else:
      flat[f'{prefix}{key}'] = value
  return flat


@pytest.mark.parametrize('config_file', CONFIG_FILES)
def test_config_resolves_to_the_dict_its_runs_recorded(config_file):
  path = snapshot_path(config_file)
  assert path.exists(), (f'{config_file} has no saved resolution; once it is as meant, '
                         f'save one: python -m tests.test_configs {config_file}')
  # As JSON text, so that 1 and 1.0 or (2,) and 2 count as different values.
  now = {name: json.dumps(value) for name, value in _flat(resolved(config_file)).items()}
  recorded = {name: json.dumps(value)
              for name, value in _flat(json.loads(path.read_text())).items()}
  changed = sorted(name for name in now.keys() | recorded.keys()
                   if now.get(name) != recorded.get(name))
  assert not changed, (
      f'{config_file} no longer resolves as {path.relative_to(REPO_ROOT)} recorded: '
      + ', '.join(f'{name} {recorded.get(name, "(absent)")} -> {now.get(name, "(absent)")}'
                  for name in changed)
      + f'. If the change is meant, save it: python -m tests.test_configs {config_file}')


@pytest.mark.parametrize('config_file', CONFIG_FILES)
def test_config_sets_declared_fields_only(config_file):
  """A field a config sets that config_fields.FIELDS lacks would go unchecked,
  undocumented and compared on resume without a rule."""
  config = resolved(config_file)
  declared = {field.name for field in config_fields.declared(config['model']['name'])}
  assert set(_flat(config)) <= declared


@pytest.mark.parametrize('config_file', CONFIG_FILES)
def test_config_docstring_begins_with_the_command_that_runs_it(config_file):
  command = f'python main.py --config={config_file} --workdir=runs/'
  assert config_module(config_file).__doc__.startswith(command)


def config_imports(config_file: str, root: pathlib.Path = REPO_ROOT) -> List[str]:
  """The config files `config_file` imports (`from configs[.x] import y`, `import configs.y`)."""
  tree = ast.parse((root / config_file).read_text())
  modules = []
  for node in ast.walk(tree):
    if isinstance(node, ast.ImportFrom) and node.module and node.module.split('.')[0] == 'configs':
      modules += [f'{node.module}.{alias.name}' for alias in node.names]
    elif isinstance(node, ast.Import):
      modules += [alias.name for alias in node.names if alias.name.split('.')[0] == 'configs']
  return [module.replace('.', '/') + '.py' for module in modules]


def longest_chain(config_file: str, root: pathlib.Path = REPO_ROOT) -> List[str]:
  """The longest chain of config imports from `config_file`, itself first."""
  chains = [longest_chain(parent, root) for parent in config_imports(config_file, root)]
  return [config_file, *max(chains, key=len, default=[])]


@pytest.mark.parametrize('config_file', CONFIG_FILES)
def test_config_reads_alone_from_default_and_at_most_one_base(config_file):
  for parent in config_imports(config_file):
    assert parent in CONFIG_FILES, f'{config_file} imports {parent}, which is no config file'
  chain = longest_chain(config_file)
  assert len(chain) <= MAX_CHAIN, (
      f'{" -> ".join(chain)}: write the overrides out in {config_file} (start from '
      f'{DEFAULT}, or from one base that imports only {DEFAULT})')
  assert config_file == DEFAULT or chain[-1] == DEFAULT, (
      f'{" -> ".join(chain)} does not start from {DEFAULT}')


def test_a_chain_of_configs_is_followed_through_each_import_form(tmp_path):
  (tmp_path / 'configs' / 'family').mkdir(parents=True)
  sources = {'configs/default.py': '', 'configs/family/base.py': 'import configs.default\n',
             'configs/family/one.py': 'from configs.family import base\n',
             'configs/two.py': 'from configs.family import one  # one -> base -> default\n'}
  for config_file, source in sources.items():
    (tmp_path / config_file).write_text(source)
  assert longest_chain('configs/family/one.py', tmp_path) == [
      'configs/family/one.py', 'configs/family/base.py', DEFAULT]
  assert len(longest_chain('configs/two.py', tmp_path)) == MAX_CHAIN + 1


if __name__ == '__main__':
  for config_file in sys.argv[1:] or CONFIG_FILES:
    write_snapshot(config_file)
    print(snapshot_path(config_file).relative_to(REPO_ROOT))
