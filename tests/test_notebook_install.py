"""notebooks/quickstart.ipynb's install cell (tagged `install`) finds jax-ae and installs it.

CI leaves the cell out (it is also tagged `skip-execution`), so this runs it: in a fresh
Python, in the folder a user would open the notebook from, with `subprocess.run` recording
the pip command instead of running it. The sources are this checkout and source archives
made from it with `git archive`, as the notebook's markdown says.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.helpers import REPO_ROOT

# Runs the cell read from stdin; prints what it would have run and where it ended.
RUN_CELL = '''
import glob, json, os, subprocess, sys
pip_commands = []
subprocess.run = lambda command, **kwargs: (pip_commands.append(command)
                                            or subprocess.CompletedProcess(command, 0))
real_glob = glob.glob
glob.glob = lambda pattern, **kwargs: real_glob(
    pattern.replace('/kaggle/input', os.environ['FAKE_KAGGLE_INPUT']), **kwargs)
try:
  exec(compile(sys.stdin.read(), 'install cell', 'exec'), {})
finally:
  print(json.dumps({'pip': pip_commands, 'cwd': os.getcwd()}))
'''


def _install_cell() -> str:
  notebook = json.loads((REPO_ROOT / 'notebooks' / 'quickstart.ipynb').read_text())
  cells = [cell for cell in notebook['cells']
           if 'install' in cell['metadata'].get('tags', [])]
  assert len(cells) == 1
  assert 'skip-execution' in cells[0]['metadata']['tags']  # never a real install in CI
  return ''.join(cells[0]['source'])


def _run_install_cell(folder, kaggle_input=None):
  """(returncode, stdout lines before the record, the record, stderr) of the cell in `folder`."""
  kaggle_input = kaggle_input or folder / 'no-kaggle-input'
  result = subprocess.run([sys.executable, '-c', RUN_CELL], input=_install_cell(), cwd=folder,
                          env={**os.environ, 'FAKE_KAGGLE_INPUT': str(kaggle_input)},
                          capture_output=True, text=True, timeout=60, check=False)
  *printed, record = result.stdout.strip().splitlines()
  return result.returncode, printed, json.loads(record), result.stderr


def _pip_install(project):
  return [sys.executable, '-m', 'pip', 'install', '--quiet', '-e', str(project)]


@pytest.fixture(scope='module')
def archives(tmp_path_factory):
  """jax-ae.zip as the notebook says to make it, and a GitHub-style jax-ae-main.tar.gz."""
  folder = tmp_path_factory.mktemp('archives')
  made = {'zip': folder / 'jax-ae.zip', 'tar.gz': folder / 'jax-ae-main.tar.gz'}
  commands = [['git', 'archive', '--format=zip', '-o', str(made['zip']), 'HEAD'],
              ['git', 'archive', '--format=tar.gz', '--prefix=jax-ae-main/', '-o',
               str(made['tar.gz']), 'HEAD']]
  for command in commands:
    if subprocess.run(command, cwd=REPO_ROOT, capture_output=True, check=False).returncode:
      pytest.skip('no git repository to archive')
  return made


@pytest.mark.parametrize('opened_in', ['notebooks', '.'])
def test_a_checkout_is_installed_where_it_is(opened_in):
  returncode, printed, record, stderr = _run_install_cell(REPO_ROOT / opened_in)
  assert returncode == 0, stderr
  assert record['pip'] == [_pip_install(REPO_ROOT)]
  assert record['cwd'] == str(REPO_ROOT)
  assert printed[0].startswith(f'Installing jax-ae from the source folder {REPO_ROOT} ')


def test_an_uploaded_zip_is_unpacked_and_installed_once(tmp_path, archives):
  shutil.copy(archives['zip'], tmp_path)
  returncode, printed, record, stderr = _run_install_cell(tmp_path)
  assert returncode == 0, stderr
  project = tmp_path / 'jax-ae'
  assert (project / 'pyproject.toml').is_file() and (project / 'jax_ae' / 'api.py').is_file()
  assert record['pip'] == [_pip_install(project)]
  assert record['cwd'] == str(project)
  assert printed[0].startswith('Installing jax-ae from jax-ae.zip, unpacked into jax-ae/')
  # Run again (a restarted runtime): the unpacked folder is found, not unpacked anew.
  (project / 'marker').touch()
  returncode, printed, record, stderr = _run_install_cell(tmp_path)
  assert returncode == 0, stderr
  assert record['pip'] == [_pip_install(project)] and (project / 'marker').exists()
  assert printed[0].startswith(f'Installing jax-ae from the source folder {project} ')


def test_an_archive_with_a_top_folder_is_installed_from_that_folder(tmp_path, archives):
  working, kaggle_input = tmp_path / 'working', tmp_path / 'input'
  working.mkdir()
  (kaggle_input / 'jax-ae-source').mkdir(parents=True)
  shutil.copy(archives['tar.gz'], kaggle_input / 'jax-ae-source')
  returncode, printed, record, stderr = _run_install_cell(working, kaggle_input)
  assert returncode == 0, stderr
  project = working / 'jax-ae' / 'jax-ae-main'
  assert record['pip'] == [_pip_install(project)]
  assert record['cwd'] == str(project)
  assert 'jax-ae-source/jax-ae-main.tar.gz, unpacked into jax-ae/' in printed[0]


def test_a_kaggle_dataset_of_the_unpacked_source_is_copied_then_installed(tmp_path, archives):
  working, kaggle_input = tmp_path / 'working', tmp_path / 'input'
  working.mkdir()
  with zipfile.ZipFile(archives['zip']) as zipped:
    zipped.extractall(kaggle_input / 'jax-ae')  # as Kaggle unpacks an uploaded zip
  returncode, printed, record, stderr = _run_install_cell(working, kaggle_input)
  assert returncode == 0, stderr
  project = working / 'jax-ae'
  assert (project / 'pyproject.toml').is_file()
  assert record['pip'] == [_pip_install(project)]
  assert printed[0].startswith(f'Installing jax-ae from {kaggle_input}/jax-ae/, copied into')


def test_with_nothing_to_install_it_says_what_to_upload_in_one_sentence(tmp_path):
  returncode, printed, record, stderr = _run_install_cell(tmp_path)
  assert returncode != 0 and record['pip'] == [] and printed == []
  assert stderr.strip().splitlines()[-1] == (
      'FileNotFoundError: jax-ae is neither here nor in an archive here: upload a source '
      'archive of it (jax-ae.zip, made as the cell above says) into this folder, or clone '
      'its repository into it, and run this cell again.')


def test_pip_takes_the_unpacked_archive_as_the_jax_ae_project(tmp_path, archives):
  """The recorded command, run for real but as a dry run: no download, nothing installed."""
  if importlib.util.find_spec('setuptools') is None:
    pytest.skip('no setuptools here to read the project with (--no-build-isolation)')
  with zipfile.ZipFile(archives['zip']) as zipped:
    zipped.extractall(tmp_path / 'jax-ae')
  result = subprocess.run(
      _pip_install(tmp_path / 'jax-ae') + ['--dry-run', '--no-deps', '--no-index',
                                           '--no-build-isolation', '--report', '-'],
      capture_output=True, text=True, timeout=120, check=False)
  assert result.returncode == 0, result.stderr[-2000:]
  report = json.loads(result.stdout)
  assert [item['metadata']['name'] for item in report['install']] == ['jax-ae']
