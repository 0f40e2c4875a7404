"""jax_ae/runtime/xla_cpu.py: main.py's process settings send convolutions to XLA's own kernels on the CPU.

The flag's effect is read from the compiled program, not timed: in a fresh process that
applies `settings.configure_process()` first, as main.py does, a convolution's gradient compiles without a
YNNPACK fusion; with JAX_AE_XLA_CPU_FLAGS=0 the same program (on a jaxlib that sends
convolutions to YNNPACK by default) has them. The shape is a real layer's: XLA keeps
small convolutions out of YNNPACK whatever the flag says.
"""

import json
import os
import subprocess
import sys

import pytest

from jax_ae.runtime import xla_cpu
from tests.helpers import REPO_ROOT

YNN_FUSIONS_OF_A_CONV = '''
import json, os
from jax_ae.runtime import settings
settings.configure_process()  # as main.py does
import jax, jax.numpy as jnp
def loss(x, kernel):
  y = jax.lax.conv_general_dilated(x, kernel, (1, 1), 'SAME',
                                   dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
  return jnp.sum(y * y)
x, kernel = jnp.ones((64, 28, 28, 16)), jnp.ones((3, 3, 16, 16))  # mnist10's first block
text = jax.jit(jax.grad(loss, argnums=(0, 1))).lower(x, kernel).compile().as_text()
print(json.dumps({'ynn_fusions': text.count('__ynn_fusion'),
                  'convolutions': text.count('convolution('),
                  'xla_flags': os.environ.get('XLA_FLAGS', '')}))
'''


def _compiled_conv(env_value: str, xla_flags: str = ''):
  env = {**os.environ, xla_cpu.ENV_VAR: env_value, 'XLA_FLAGS': xla_flags,
         'JAX_PLATFORMS': 'cpu'}
  result = subprocess.run([sys.executable, '-c', YNN_FUSIONS_OF_A_CONV], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
  assert result.returncode == 0, result.stderr[-2000:]
  return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.skipif(not xla_cpu.takes_flag(xla_cpu._jaxlib_version()),
                    reason='the flag is set only for the jaxlib versions tested with it')
def test_importing_jax_ae_compiles_convolutions_outside_ynnpack():
  preferred = _compiled_conv('1', '--xla_force_host_platform_device_count=1')
  default = _compiled_conv('0')
  assert preferred['xla_flags'] == f'--xla_force_host_platform_device_count=1 {xla_cpu.FLAG}'
  assert default['xla_flags'] == ''
  assert preferred['convolutions'] >= 2 and preferred['ynn_fusions'] == 0, preferred
  assert default['ynn_fusions'] >= 1, default  # what the flag changes (jaxlib 0.10's default)


def test_the_users_own_choice_of_ynnpack_fusions_is_kept(monkeypatch):
  monkeypatch.setenv('XLA_FLAGS', '--xla_cpu_experimental_ynn_fusion_type=+individual_dot')
  assert not xla_cpu.prefer_xla_convolutions()
  assert os.environ['XLA_FLAGS'] == '--xla_cpu_experimental_ynn_fusion_type=+individual_dot'


def test_the_environment_variable_turns_it_off_and_a_second_call_adds_nothing(monkeypatch):
  monkeypatch.setenv('XLA_FLAGS', '--xla_force_host_platform_device_count=2')
  monkeypatch.setenv(xla_cpu.ENV_VAR, '0')
  assert not xla_cpu.prefer_xla_convolutions()
  assert os.environ['XLA_FLAGS'] == '--xla_force_host_platform_device_count=2'
  monkeypatch.setenv(xla_cpu.ENV_VAR, '1')
  monkeypatch.setattr(xla_cpu, '_jaxlib_version', lambda: xla_cpu.FIRST_JAXLIB)
  assert xla_cpu.prefer_xla_convolutions() and xla_cpu.prefer_xla_convolutions()
  assert os.environ['XLA_FLAGS'].split() == ['--xla_force_host_platform_device_count=2',
                                             xla_cpu.FLAG]


FIRST_MAJOR, FIRST_MINOR = xla_cpu.FIRST_JAXLIB
LAST_MAJOR, LAST_MINOR = xla_cpu.LAST_JAXLIB


@pytest.mark.parametrize('version, passed', [
    (None, False),  # no jaxlib metadata
    ((FIRST_MAJOR, FIRST_MINOR - 1), False),
    (xla_cpu.FIRST_JAXLIB, True),
    (xla_cpu.LAST_JAXLIB, True),
    ((LAST_MAJOR, LAST_MINOR + 1), False),
    ((LAST_MAJOR + 1, 0), False)])
def test_only_the_tested_jaxlib_versions_get_the_flag(monkeypatch, version, passed):
  # An XLA that does not know a flag in XLA_FLAGS aborts at start-up.
  monkeypatch.setenv('XLA_FLAGS', '--xla_force_host_platform_device_count=2')
  monkeypatch.delenv(xla_cpu.ENV_VAR, raising=False)
  monkeypatch.setattr(xla_cpu, '_jaxlib_version', lambda: version)
  assert xla_cpu.prefer_xla_convolutions() == passed
  assert os.environ['XLA_FLAGS'].split() == (
      ['--xla_force_host_platform_device_count=2'] + [xla_cpu.FLAG] * passed)


def test_a_process_without_the_preference_gets_neither_the_flag_nor_its_switch():
  environ = {'XLA_FLAGS': f'--xla_force_host_platform_device_count=2 {xla_cpu.FLAG}', 'HOME': '/h'}
  assert xla_cpu.without_preference(environ) == {
      'XLA_FLAGS': '--xla_force_host_platform_device_count=2', xla_cpu.ENV_VAR: '0', 'HOME': '/h'}
