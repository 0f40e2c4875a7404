"""Measures five hand-written pieces of jax-ae against the libraries that also do them.

Run from the repository root with the project's interpreter:

    python -m research.measure_libraries [--extra DIR] [--runs 3]
        [--only progress,lock,tensorboard,config,periodic]

--extra DIR is a folder on PYTHONPATH holding the packages the project does not install
(tensorboardX, clu), e.g. made by
    .venv/bin/pip install --no-deps --target .libcheck tensorboardX==2.6.5 clu==0.0.12
(clu's and tensorboardX's own dependencies are all in the project's venv already).

Every import time is measured in a fresh `python -c` process with time.perf_counter()
around the import (and, for the TensorBoard writers, the writing of one scalar and one
PNG image), after the modules a training run has imported by then anyway (numpy, jax,
flax, ml_collections, absl); the figure is the median of --runs processes. Nothing in
the repository is written: work goes to temporary folders, and PYTHONDONTWRITEBYTECODE
is set.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.getcwd()
ARGS = None


def env():
  environment = dict(os.environ, PYTHONDONTWRITEBYTECODE='1', TF_CPP_MIN_LOG_LEVEL='2')
  paths = [REPO] + ([os.path.abspath(ARGS.extra)] if ARGS.extra else [])
  environment['PYTHONPATH'] = os.pathsep.join(paths + [environment.get('PYTHONPATH', '')])
  return environment


def fresh(code, timeout=300):
  """Runs `code` in a fresh interpreter; its last stdout line is JSON."""
  result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          env=env(), cwd=REPO, timeout=timeout)
  lines = result.stdout.strip().splitlines()
  if result.returncode or not lines:
    return {'failed': (result.stderr.strip().splitlines() or ['?'])[-1]}
  return json.loads(lines[-1])


def timed_import(base, target, runs=None):
  """Median seconds of `target` in fresh processes after `base`; and whether TF got imported."""
  code = '\n'.join([
      'import json, sys, time', base, "_tf_before = 'tensorflow' in sys.modules",
      '_t = time.perf_counter()', target, '_s = time.perf_counter() - _t',
      "print(json.dumps({'s': _s, 'tf': 'tensorflow' in sys.modules, 'tf_before': _tf_before}))"])
  results = [fresh(code) for _ in range(runs or ARGS.runs)]
  failed = [r['failed'] for r in results if 'failed' in r]
  if failed:
    return {'failed': failed[0]}
  return {'median_s': round(statistics.median(r['s'] for r in results), 4),
          'runs_s': [round(r['s'], 4) for r in results],
          'imports_tensorflow': results[0]['tf'] and not results[0]['tf_before']}


def version(package):
  code = (f'import importlib.metadata, json; '
          f'print(json.dumps(importlib.metadata.version({package!r})))')
  value = fresh(code)
  return value if isinstance(value, str) else 'not installed'


def show(title, value):
  print(f'{title}: {json.dumps(value, indent=1) if isinstance(value, (dict, list)) else value}')
  sys.stdout.flush()


# --------------------------------------------------------------------------- 1. progress

SIMULATED_EPOCH = """
# One simulated epoch on a fake clock: the first call ends at 5 s (compilation), then
# 20 steps/s; 1875 steps, 5 epochs. Output to a StringIO, i.e. not a terminal (a CI log,
# a nohup file). Reports what was written and the rate/ETA each shows at step 500.
import io, json, sys
STEPS, EPOCHS, RATE, COMPILE, PROBE = 1875, 5, 20.0, 5.0, 500
now = [0.0]
clock = lambda: now[0]
def at(n): return COMPILE + (n - 1) / RATE
truth = {'rate': RATE, 'epoch_left_s': (STEPS - PROBE) / RATE,
         'run_left_s': (STEPS - PROBE) / RATE + (EPOCHS - 1) * STEPS / RATE}
out = {'truth_at_step_500': truth}
def written(buf):
  text = buf.getvalue()
  return {'bytes': len(text), 'newlines': text.count('\\n'), 'carriage_returns': text.count('\\r'),
          'last_line': text.replace('\\r', '\\n').strip().splitlines()[-1][:150] if text.strip() else ''}

# ours
from jax_ae.workdir import console
buf = io.StringIO()
p = console.Progress(STEPS, EPOCHS, stream=buf, clock=clock, on_terminal=False)
ep = p.epoch(1)
for n in range(1, STEPS + 1):
  now[0] = at(n)
  ep.update(n)
  if n == PROBE:
    probe = ep.describe(n, now[0])
ep.finish()
out['ours'] = dict(written(buf), at_step_500=probe)

# tqdm, defaults (mininterval 0.1 s), file not a terminal
import tqdm, tqdm.std
tqdm.std.time = clock; tqdm.tqdm.monitor_interval = 0
now[0] = 0.0
buf = io.StringIO()
bar = tqdm.tqdm(total=STEPS, file=buf, desc='epoch 1/5')
for n in range(1, STEPS + 1):
  now[0] = at(n)
  bar.update(1)
  if n == PROBE:
    d = bar.format_dict
    rate = d['rate'] or d['n'] / d['elapsed']
    probe = {'rate': round(rate, 2), 'epoch_left_s': round((STEPS - n) / rate, 1), 'run_left': 'none (one bar per epoch)'}
bar.close()
out['tqdm_default'] = dict(written(buf), at_step_500=probe)
# tqdm with our 30 s period
now[0] = 0.0
buf = io.StringIO()
bar = tqdm.tqdm(total=STEPS, file=buf, desc='epoch 1/5', mininterval=30, maxinterval=30)
for n in range(1, STEPS + 1):
  now[0] = at(n); bar.update(1)
bar.close()
out['tqdm_mininterval_30'] = written(buf)
# tqdm disable=None (off when the file is not a terminal)
buf = io.StringIO()
bar = tqdm.tqdm(total=STEPS, file=buf, disable=None)
for n in range(1, STEPS + 1): bar.update(1)
bar.close()
out['tqdm_disable_None'] = written(buf)

# rich, refreshed every 0.1 fake s
from rich.console import Console
from rich.progress import Progress
now[0] = 0.0
buf = io.StringIO()
progress = Progress(console=Console(file=buf, width=120), get_time=clock, auto_refresh=False)
progress.start()
task = progress.add_task('epoch 1/5', total=STEPS)
last = 0.0
for n in range(1, STEPS + 1):
  now[0] = at(n)
  progress.update(task, completed=n)
  if now[0] - last >= 0.1:
    progress.refresh(); last = now[0]
  if n == PROBE:
    t = progress.tasks[0]
    probe = {'rate': round(t.speed, 2), 'epoch_left_s': round(t.time_remaining, 1), 'run_left': 'none (one task per epoch)'}
progress.stop()
out['rich'] = dict(written(buf), is_terminal=progress.console.is_terminal, at_step_500=probe)
print(json.dumps(out))
"""

UPDATE_COST = """
# Real clock: microseconds per update() call on the terminal path (bar redrawn at most
# every 0.2 s for ours, 0.1 s for tqdm; rich without its refresh thread).
import io, json, time
N = 100000
out = {}
from jax_ae.workdir import console
p = console.Progress(N, 1, stream=io.StringIO(), on_terminal=True)
ep = p.epoch(1); t = time.perf_counter()
for n in range(1, N + 1): ep.update(n)
out['ours_us'] = round((time.perf_counter() - t) / N * 1e6, 3)
import tqdm
bar = tqdm.tqdm(total=N, file=io.StringIO()); t = time.perf_counter()
for n in range(N): bar.update(1)
out['tqdm_us'] = round((time.perf_counter() - t) / N * 1e6, 3); bar.close()
from rich.console import Console
from rich.progress import Progress
progress = Progress(console=Console(file=io.StringIO()), auto_refresh=False)
task = progress.add_task('e', total=N); t = time.perf_counter()
for n in range(N): progress.update(task, advance=1)
out['rich_us'] = round((time.perf_counter() - t) / N * 1e6, 3)
print(json.dumps(out))
"""


def measure_progress():
  print('\n## 1. Progress bar and ETA')
  show('versions', {'tqdm': version('tqdm'), 'rich': version('rich')})
  base = 'import absl.logging'  # a run has imported absl long before
  show('import jax_ae.workdir.console', timed_import(base, 'import jax_ae.workdir.console', ARGS.runs + 2))
  show('import tqdm', timed_import(base, 'import tqdm', ARGS.runs + 2))
  show('import rich.progress', timed_import(base, 'import rich.progress', ARGS.runs + 2))
  show('simulated 94 s epoch, not a terminal', fresh(SIMULATED_EPOCH))
  show('cost per update()', fresh(UPDATE_COST))


# --------------------------------------------------------------------------- 2. lock

HOLDER = """
import os, sys, time
kind, workdir = sys.argv[1], sys.argv[2]
path = os.path.join(workdir, '.lock')
if kind == 'ours':
  from jax_ae.workdir import workdir_lock
  workdir_lock.acquire(workdir)
else:
  import filelock
  if kind == 'filelock':
    lock = filelock.FileLock(path)
  elif kind == 'filelock_writes_pid':  # 4.x: a callback may write into the locked file
    def write_pid(fd):
      os.ftruncate(fd, 0); os.pwrite(fd, f'{os.getpid()}\\n'.encode(), 0)
    lock = filelock.FileLock(path, on_acquired=write_pid, preserve_lock_file=True)
  elif kind == 'softfilelock':
    lock = filelock.SoftFileLock(path)
  lock.acquire()
print('ready', flush=True)
time.sleep(300)
"""

CONTENDER = """
import json, os, sys
kind, workdir = sys.argv[1], sys.argv[2]
path = os.path.join(workdir, '.lock')
out = {}
try:
  if kind == 'ours':
    from jax_ae.workdir import workdir_lock
    workdir_lock.acquire(workdir)
    workdir_lock.release(workdir)
  else:
    import filelock
    lock = (filelock.SoftFileLock(path, timeout=0) if kind == 'softfilelock'
            else filelock.FileLock(path, timeout=0))
    try:
      out['lock.pid'] = lock.pid
    except Exception as error:
      out['lock.pid'] = f'{type(error).__name__}: {error}'
    lock.acquire()
    lock.release()
  out['acquired'] = True
except Exception as error:
  out['acquired'] = False
  out['refusal'] = f'{type(error).__name__}: {error}'
out['lock_file_after'] = (open(path).read()[:80] if os.path.isfile(path) else
                          ('a folder' if os.path.isdir(path) else 'absent'))
print(json.dumps(out))
"""


def contend(kind, workdir):
  code = CONTENDER
  result = subprocess.run([sys.executable, '-c', code, kind, workdir], capture_output=True,
                          text=True, env=env(), cwd=REPO, timeout=120)
  lines = result.stdout.strip().splitlines()
  return json.loads(lines[-1]) if lines else {'failed': result.stderr.strip()[-300:]}


def measure_lock():
  print('\n## 2. Workdir lock')
  show('versions', {'filelock': version('filelock')})
  show('import jax_ae.workdir.workdir_lock', timed_import('pass', 'import jax_ae.workdir.workdir_lock', ARGS.runs + 2))
  show('import filelock', timed_import('pass', 'import filelock', ARGS.runs + 2))
  for kind in ('ours', 'filelock', 'filelock_writes_pid', 'softfilelock'):
    workdir = tempfile.mkdtemp(prefix=f'lock_{kind}_')
    holder = subprocess.Popen([sys.executable, '-c', HOLDER, kind, workdir], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env(), cwd=REPO)
    ready = holder.stdout.readline().strip()
    row = {'holder_pid': holder.pid, 'holder_ready': ready == 'ready'}
    if ready != 'ready':
      row['holder_error'] = holder.stderr.read().strip()[-300:]
    else:
      row['while_held'] = contend(kind, workdir)
      holder.send_signal(signal.SIGKILL)
      holder.wait()
      row['after_kill_9'] = contend(kind, workdir)
    if holder.poll() is None:
      holder.kill(); holder.wait()
    show(f'lock {kind}', row)


# --------------------------------------------------------------------------- 3. TensorBoard

TB_BASE = """
import io, os, sys, tempfile
import numpy as np, jax, flax, ml_collections, absl.logging
import jax_ae.figures.plots, jax_ae.errors
from PIL import Image
pixels = np.random.RandomState(0).randint(0, 255, (280, 280, 3), dtype=np.uint8)
png_buffer = io.BytesIO(); Image.fromarray(pixels).save(png_buffer, 'PNG'); png = png_buffer.getvalue()
logdir = tempfile.mkdtemp(prefix='tb_')
"""

TB_WRITERS = {
    'ours (tensorboard_events.EventWriter, was run_files._TensorBoardWriter)': """
try:
  from jax_ae.workdir.tensorboard_events import EventWriter
except ImportError:  # before the split: the same class, in run_files
  from jax_ae.workdir.run_files import _TensorBoardWriter as EventWriter
from jax_ae.figures.plots import Picture
w = EventWriter(logdir)
w.write(1, {'train_loss': 0.5}, {'reconstructions': Picture(png, 280, 280)})
""",
    'tensorboardX.SummaryWriter (torch installed: the twin extra)': """
from tensorboardX import SummaryWriter
w = SummaryWriter(logdir)
w.add_scalar('train_loss', 0.5, 1)
w.add_image('reconstructions', pixels, 1, dataformats='HWC')
w.close()
""",
    'tensorboardX.SummaryWriter, torch hidden (an install without the twin extra)': """
sys.modules['torch'] = None  # tensorboardX imports torch when it can (1-2 s)
from tensorboardX import SummaryWriter
w = SummaryWriter(logdir)
w.add_scalar('train_loss', 0.5, 1)
w.add_image('reconstructions', pixels, 1, dataformats='HWC')
w.close()
""",
    'clu.metric_writers.SummaryWriter': """
from clu import metric_writers
w = metric_writers.SummaryWriter(logdir)
w.write_scalars(1, {'train_loss': 0.5})
w.write_images(1, {'reconstructions': pixels[None]})
w.flush()
""",
    'flax.metrics.tensorboard.SummaryWriter': """
from flax.metrics import tensorboard
w = tensorboard.SummaryWriter(logdir)
w.scalar('train_loss', 0.5, 1)
w.image('reconstructions', pixels, 1)
w.flush()
""",
}

TB_READ = """
# What each writer's event file holds, read with tensorboard's own loader (no TF).
import glob, json, os, sys, types
sys.modules['tensorboard.compat.notf'] = types.ModuleType('tensorboard.compat.notf')
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
out = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], '**', 'events.out.tfevents.*'), recursive=True)):
  kinds = []
  for event in EventFileLoader(path).Load():
    for value in event.summary.value:
      kind = value.WhichOneof('value')
      plugin = value.metadata.plugin_data.plugin_name
      kinds.append(f'{value.tag}:{kind}{"/" + plugin if plugin else ""}')
  out[os.path.basename(path)[:28]] = {'bytes': os.path.getsize(path), 'values': kinds}
print(json.dumps(out))
"""


def measure_tensorboard():
  print('\n## 3. TensorBoard event writer (import + one scalar + one 280x280 PNG image)')
  show('versions', {name: version(name) for name in
                    ('tensorboard', 'tensorboardX', 'clu', 'flax', 'tensorflow-cpu', 'torch')})
  show('import tensorflow alone (for scale)',
       timed_import('import numpy, jax, flax, ml_collections, absl.logging', 'import tensorflow'))
  for name, body in TB_WRITERS.items():
    row = timed_import(TB_BASE, body)
    # one more run to keep its logdir and read the events back
    code = TB_BASE + body + '\nimport json\nprint(json.dumps(logdir))'
    logdir = fresh(code)
    if isinstance(logdir, str):
      read = subprocess.run([sys.executable, '-c', TB_READ, logdir], capture_output=True,
                            text=True, env=env(), cwd=REPO, timeout=120)
      row['event_files'] = (json.loads(read.stdout.strip().splitlines()[-1]) if read.stdout.strip()
                            else read.stderr.strip()[-200:])
    show(name, row)


# --------------------------------------------------------------------------- 4. config

ABSL_SCRIPT = """
from absl import app
from ml_collections import config_flags
_CONFIG = config_flags.DEFINE_config_file('config', None, 'A config file.', lock_config=True)
def main(argv):
  print(_CONFIG.value)
if __name__ == '__main__':
  app.run(main)
"""

BAD_CONFIGS = {
    'syntax_error.py': 'import ml_collections\ndef get_config(:\n  return ml_collections.ConfigDict()\n',
    'import_error.py': 'import ml_collections\nimport no_such_module_xyz\n'
                       'def get_config():\n  return ml_collections.ConfigDict()\n',
    'get_config_raises.py': 'import ml_collections\ndef get_config():\n'
                            "  raise ValueError('width must be positive')\n",
    'no_get_config.py': 'import ml_collections\nCONFIG = ml_collections.ConfigDict()\n',
    'missing.py': None,
}


def run_cli(argv):
  start = time.perf_counter()
  result = subprocess.run(argv, capture_output=True, text=True, env=env(), cwd=REPO, timeout=300)
  lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
  out_lines = result.stdout.strip().splitlines()
  return {'exit': result.returncode, 'stderr_lines': len(lines),
          'stderr_first_line': lines[0][:200] if lines else '',
          'last_line': lines[-1][:300] if lines else '',
          'stdout_first_line': out_lines[0][:120] if out_lines else '',
          'seconds': round(time.perf_counter() - start, 1)}


def measure_config():
  print('\n## 4. Config-file loading: ml_collections.config_flags alone vs main.py')
  show('versions', {'ml_collections': version('ml_collections'), 'absl-py': version('absl-py')})
  folder = tempfile.mkdtemp(prefix='configs_')
  script = os.path.join(folder, 'config_flags_alone.py')
  with open(script, 'w') as f:
    f.write(ABSL_SCRIPT)
  for name, text in BAD_CONFIGS.items():
    path = os.path.join(folder, name)
    if text is not None:
      with open(path, 'w') as f:
        f.write(text)
    show(f'{name}: config_flags alone', run_cli([sys.executable, script, f'--config={path}']))
    show(f'{name}: main.py --mode=config',
         run_cli([sys.executable, 'main.py', '--mode=config', f'--config={path}']))


# --------------------------------------------------------------------------- 5. periodic

TRIGGERS = """
import json
from clu import periodic_actions
out = {}
calls = []
# (a) once per epoch with the step number, as an every_steps action
action = periodic_actions.PeriodicCallback(every_steps=1875, callback_fn=lambda step, t: calls.append(step))
try:
  for epoch in (1, 2, 3):
    action(epoch * 1875)
  out['every_steps, called once per epoch'] = f'ran at steps {calls}'
except ValueError as error:
  out['every_steps, called once per epoch'] = f'ran at steps {calls}, then ValueError: {error}'
# (b) the epoch number as the step, every_steps=1, metrics through **kwargs
calls = []
action = periodic_actions.PeriodicCallback(every_steps=1, callback_fn=lambda step, t, metrics: calls.append((step, metrics['loss'])))
for epoch in (3, 4, 5):  # a resumed run starts at epoch 3
  action(epoch, metrics={'loss': 1.0 / epoch})
out['epoch as step, every_steps=1, resumed at 3'] = f'ran at {[c[0] for c in calls]}'
# (c) an action that raises (a diverged loss), synchronous and execute_async=True
def stop(step, t):
  raise RuntimeError(f'loss became nan at epoch {step}')
for asynchronous in (False, True):
  action = periodic_actions.PeriodicCallback(every_steps=1, callback_fn=stop, execute_async=asynchronous)
  raised = 'never'
  for epoch in (1, 2, 3):
    try:
      action(epoch)
    except Exception as error:
      raised = f'{type(error).__module__}.{type(error).__name__} in the call of epoch {epoch}: {error}'; break
  out[f'raising callback, execute_async={asynchronous}'] = raised
# (d) ReportProgress: where its steps/s and ETA go
import absl.logging, io, logging
records = []
class Keep(logging.Handler):
  def emit(self, record): records.append(record)
logging.getLogger().addHandler(Keep()); absl.logging.set_verbosity(absl.logging.INFO)
report = periodic_actions.ReportProgress(num_train_steps=100, every_steps=50)
for step in range(1, 101):
  report(step)
out['ReportProgress output'] = [f'{r.levelname} {r.module}.py: {r.getMessage()}' for r in records if r.module != 'asynclib'][:3]
print(json.dumps(out))
"""


def measure_periodic():
  print('\n## 5. Periodic actions')
  show('versions', {'clu': version('clu')})
  base = 'import numpy, jax, flax, ml_collections, absl.logging'
  show('import clu.periodic_actions', timed_import(base, 'import clu.periodic_actions'))
  show('trigger model', fresh(TRIGGERS))


SECTIONS = {'progress': measure_progress, 'lock': measure_lock, 'tensorboard': measure_tensorboard,
            'config': measure_config, 'periodic': measure_periodic}


def main():
  global ARGS
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument('--extra', default='', help='folder with tensorboardX and clu (PYTHONPATH)')
  parser.add_argument('--runs', type=int, default=3, help='fresh processes per import time')
  parser.add_argument('--only', default=','.join(SECTIONS), help='comma-separated sections')
  ARGS = parser.parse_args()
  if not os.path.exists(os.path.join(REPO, 'main.py')):
    sys.exit('run this from the jax-ae repository root')
  print(f'python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}')
  # every temporary folder, this process's and its children's, under one, removed at the end
  work = tempfile.mkdtemp(prefix='measure_libraries_')
  os.environ['TMPDIR'] = work
  tempfile.tempdir = work
  try:
    for name in ARGS.only.split(','):
      SECTIONS[name]()
  finally:
    shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
  main()
