"""Importing jax_ae, any of its modules, changes nothing in the process.

A notebook that imports the library keeps its environment variables (its tqdm bars, its
XLA_FLAGS), its allocator, its sys hooks, its event-loop policy and its root log
handlers; the settings a training process wants are one explicit call,
`settings.configure_process()`, which main.py makes and `api.configure_process` offers.
Checked in a fresh process, against a snapshot taken after the libraries jax_ae builds
on are imported (jaxlib's own import sets TF_CPP_MIN_LOG_LEVEL and TPU_SKIP_MDS_QUERY).
"""

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT

IMPORT_EVERYTHING = '''
import asyncio, importlib, json, logging, os, pkgutil, sys
import absl.logging, flax, jax, ml_collections, numpy, optax, orbax.checkpoint

def snapshot():
  return {'environ': dict(os.environ),
          'hooks': [id(sys.unraisablehook), id(sys.excepthook), id(sys.displayhook)],
          'event_loop_policy': type(asyncio.get_event_loop_policy()).__name__,
          'root_handlers': [repr(handler) for handler in logging.getLogger().handlers],
          'absl_filters': len(logging.getLogger('absl').filters)}

before = snapshot()
import jax_ae
modules = [info.name for info in pkgutil.walk_packages(jax_ae.__path__, 'jax_ae.')]
for name in modules:
  importlib.import_module(name)
after = snapshot()
from jax_ae.runtime import host_memory
print(json.dumps({'before': before, 'after': after, 'modules': modules,
                  'allocator_set': host_memory._applied,
                  'backend_started': jax._src.xla_bridge.backends_are_initialized()}))
'''

CONFIGURE = '''
import json, os
before = dict(os.environ)
from jax_ae import api
applied = api.configure_process()
print(json.dumps({'applied': applied,
                  'changed': sorted(k for k in os.environ if os.environ[k] != before.get(k))}))
'''


def _run(code: str, **environ) -> dict:
  env = {key: value for key, value in os.environ.items()
         if key not in ('TQDM_DISABLE', 'TF_ENABLE_ONEDNN_OPTS', 'TF_CPP_MIN_LOG_LEVEL')}
  env.update(environ)
  result = subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
  assert result.returncode == 0, result.stderr[-3000:]
  return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_every_jax_ae_module_changes_nothing_in_the_process():
  seen = _run(IMPORT_EVERYTHING)
  assert 'jax_ae.api' in seen['modules'] and 'jax_ae.training.train' in seen['modules']
  before, after = seen['before'], seen['after']
  changed = sorted(key for key in set(before['environ']) | set(after['environ'])
                   if before['environ'].get(key) != after['environ'].get(key))
  assert not changed, f'importing jax_ae changed environment variables {changed}'
  for what in ('hooks', 'event_loop_policy', 'root_handlers', 'absl_filters'):
    assert before[what] == after[what], what
  assert not seen['allocator_set']
  assert not seen['backend_started']  # so configure_process can still take effect


def test_configure_process_applies_main_pys_settings_in_one_call():
  seen = _run(CONFIGURE, JAX_AE_XLA_CPU_FLAGS='1', JAX_AE_KEEP_HOST_MEMORY='1')
  assert seen['applied']['quiet_native_logs']
  # TF_CPP_MIN_LOG_LEVEL too, unless jaxlib's import (by api) set it first.
  assert {'TQDM_DISABLE', 'TF_ENABLE_ONEDNN_OPTS'} <= set(seen['changed'])


COMPILE_ONE = '''
import json, sys
from jax_ae.runtime import settings
applied = settings.configure_process(compilation_cache_dir=sys.argv[1])
import jax, jax.numpy as jnp
jax.jit(lambda x: jnp.sin(x) @ x.T)(jnp.ones((64, 64))).block_until_ready()
print(json.dumps({'applied': applied}))
'''


@pytest.mark.slow
def test_compiled_programs_are_kept_in_the_named_cache_unless_jax_has_one(tmp_path):
  env = {key: value for key, value in os.environ.items() if key != 'JAX_COMPILATION_CACHE_DIR'}
  env['JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS'] = '0'  # keep even this tiny program

  def run(*args, **environ):
    result = subprocess.run([sys.executable, '-c', COMPILE_ONE, *map(str, args)],
                            cwd=REPO_ROOT, env={**env, **environ}, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])['applied']

  named, chosen = tmp_path / 'named', tmp_path / 'chosen'
  assert run(named)['compilation_cache']
  assert any(named.iterdir())
  # A cache the environment chose for JAX is kept; the named one is not touched.
  assert not run(tmp_path / 'unused', JAX_COMPILATION_CACHE_DIR=str(chosen))['compilation_cache']
  assert any(chosen.iterdir()) and not (tmp_path / 'unused').exists()
  assert not run('')['compilation_cache']  # '' = off
