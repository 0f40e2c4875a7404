"""Trains or benchmarks a jax-ae model: flags in, the library does the work.

    python main.py --config=configs/v3.py --workdir=runs/v3 [--config.num_epochs=3]
    python main.py --mode=bench --config=configs/v3.py --workdir=runs/bench_v3
    python main.py --mode=evaluate --config=configs/conv_ae.py --workdir=runs/conv_ae
    python main.py --mode=report --runs='runs/*' --workdir=results [--table=results]
    python main.py --mode=config --config=configs/v3.py   # the resolved config, nothing run
    python main.py --mode=config --describe --config=configs/v3.py   # ... with what each field does

Every device is used, data-parallel. Several processes join one run with
`--coordinator_address=HOST:PORT --num_processes=N --process_id=I` (or the
JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES and JAX_PROCESS_ID variables), or with
`--distributed` on a cluster JAX detects by itself.

The console shows one line per epoch; workdir/log.txt keeps the full log, and
`--verbosity=1` shows it all. A problem the user can fix (a config value, a data folder,
a workdir) ends the run with one sentence and a non-zero exit code; `--verbosity=1` adds
the traceback.
"""

import json
import re
import sys

from jax_ae.runtime import interrupts
interrupts.exit_on_signals()  # from the first second: a stop is one line, not a traceback

# pylint: disable=g-import-not-at-top,wrong-import-position
from jax_ae.runtime import settings
from jax_ae.workdir import console
# The training process's settings, before JAX starts and TensorFlow or tqdm are imported.
settings.configure_process(console.verbosity_in(sys.argv))

from absl import app
from absl import flags
from absl import logging
import jax
from ml_collections import config_flags

from jax_ae.config import config_fields
from jax_ae.config import config_files
from jax_ae.errors import ConfigError
from jax_ae.errors import Diverged
from jax_ae.errors import Resumable
from jax_ae.errors import UserError
from jax_ae.measure import bench
from jax_ae.measure import evaluate
from jax_ae.measure import report
from jax_ae.runtime import multihost
from jax_ae.runtime import usage
from jax_ae.training import train

FLAGS = flags.FLAGS

MODES = {'train': lambda config, workdir: train.train_and_evaluate(
             config, workdir, config_file=config_flags.get_config_filename(FLAGS['config'])),
         'bench': bench.run_bench,
         'evaluate': evaluate.evaluate_run,
         'report': lambda config, workdir: report.write_report(
             report.find_workdirs(FLAGS.runs), workdir, FLAGS.table)}
flags.DEFINE_enum('mode', 'train', [*MODES, 'config'],
                  'train: train and evaluate into the workdir; '
                  'bench: time training on synthetic data, write workdir/bench.json; '
                  'evaluate: measure the autoencoder trained in the workdir, write eval.json; '
                  'report: a section of RESULTS.md (and its picture) in the workdir from --runs; '
                  'config: print the resolved config, run nothing.')
flags.DEFINE_bool('describe', False, '--mode=config: one line per field, with its value, what '
                  'it does and whether a resumed run may change it, instead of the JSON.')
flags.DEFINE_list('runs', [], '--mode=report: the evaluated runs\' workdirs, as paths or '
                  "globs, e.g. 'runs/*'.")
flags.DEFINE_string('table', report.DEFAULT_TABLE, '--mode=report: the section of '
                    'workdir/RESULTS.md to write, and the name of its picture (TABLE.png); '
                    'the other sections stay as they are.')
flags.DEFINE_string('workdir', None, 'Folder for the run: config, metrics, pictures, model, '
                    'log.txt.')
config_flags.DEFINE_config_file(
    'config', None, 'Path to a config file, e.g. configs/v3.py (--help lists them).',
    lock_config=True)
flags.register_multi_flags_validator(
    ['workdir', 'mode'], lambda values: values['workdir'] or values['mode'] == 'config',
    '--workdir is required: the folder the run writes into, e.g. --workdir=runs/v3.')
flags.DEFINE_string('coordinator_address', '', 'HOST:PORT of process 0, for a multi-process '
                    'run (default: $JAX_COORDINATOR_ADDRESS; unset = one process).')
flags.DEFINE_integer('num_processes', None, 'Processes in the run (default: $JAX_NUM_PROCESSES).')
flags.DEFINE_integer('process_id', None, 'This process, 0 to num_processes - 1; 0 writes the '
                     'files (default: $JAX_PROCESS_ID).')
flags.DEFINE_string('compilation_cache_dir', settings.DEFAULT_COMPILATION_CACHE_DIR,
                    'Folder where compiled train and eval steps are kept, so a repeated or '
                    "resumed run loads them instead of compiling again; '' = off. A cache "
                    'chosen by JAX_COMPILATION_CACHE_DIR is used instead.')
flags.DEFINE_bool('distributed', False, 'Join a multi-process run whose layout JAX detects '
                  '(Slurm, Open MPI, Cloud TPU).')


def parse_flags(argv):
  """absl's parser, with a bad flag or config override reported as one line, exit 2."""
  try:
    config_path = config_files.config_path_in(argv)
    if config_path is not None:
      config_files.check(config_path)
    remaining = FLAGS(argv)
    if FLAGS.config is None and FLAGS.mode != 'report':
      raise flags.Error(f'--mode={FLAGS.mode} needs --config, e.g. --config=configs/v3.py.')
    if FLAGS.config is not None:
      FLAGS.config.keys()  # a config file that failed to load raises here, not at parse time
    return remaining
  except (flags.Error, ConfigError) as error:
    print(f'error: {error}', file=sys.stderr)
  except OSError as error:
    print(f'error: cannot load the config file: {error}', file=sys.stderr)
  except (AttributeError, KeyError) as error:  # an override of a field that does not exist
    guess = re.search(r'Did you mean "(\w+)" instead of "(\w+)"', str(error))
    field = guess.group(2) if guess else re.sub(r'\W', '', str(error))
    hint = f' (did you mean {guess.group(1)!r}?)' if guess else ''
    print(f'error: the config has no field {field!r}{hint}; python main.py --mode=config '
          f'--describe --config=configs/default.py lists every field.', file=sys.stderr)
  sys.exit(2)


def user_message(error: UserError, config) -> str:
  """The one line a user reads: what happened and, where it depends on the command line,
  how to go on (the same command resumes, without --config.restart=True if it had it)."""
  if not isinstance(error, Resumable):
    return f'{error.label}: {error}'
  again = ' without --config.restart=True' if config is not None and config.restart else ''
  if isinstance(error, Diverged):
    kept = ('none (no epoch finished before)' if error.last_good_epoch is None
            else f'epoch {error.last_good_epoch}')
    return (f'{error.label}: {error.what}; the last good checkpoint is {kept}; lower the '
            f'learning rate or set --config.optim.clip_norm, then run again{again} to resume '
            f'from it.')
  return f'{error.label}: {error}; run the same command{again} to resume.'


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'Unexpected arguments: {" ".join(argv[1:])}')
  if FLAGS.mode == 'config':  # nothing initialised, nothing written
    if FLAGS.describe:
      print(config_fields.describe(FLAGS.config))
    else:
      print(json.dumps(FLAGS.config.to_dict(), indent=2))  # plain values, tuples as lists
    return
  console.setup(FLAGS.workdir, FLAGS.verbosity, FLAGS.process_id)
  settings.use_compilation_cache(FLAGS.compilation_cache_dir)
  try:
    multihost.initialize(FLAGS.coordinator_address, FLAGS.num_processes, FLAGS.process_id,
                         FLAGS.distributed)
    logging.info('JAX backend %s, devices %s', jax.default_backend(), jax.devices())
    config = None if FLAGS.config is None else config_files.with_defaults(FLAGS.config)
    MODES[FLAGS.mode](config, FLAGS.workdir)
  except UserError as error:
    if FLAGS.verbosity >= 1:
      logging.exception('Traceback of the error below:')
    print(user_message(error, FLAGS.config), file=sys.stderr)
    interrupts.exit_promptly(error.exit_code)
  except KeyboardInterrupt:
    interrupts.ignore_further_interrupts()
    print(f'error: interrupted; what finished is in {FLAGS.workdir}.', file=sys.stderr)
    interrupts.exit_promptly(130)
  except OSError as error:
    if FLAGS.verbosity >= 1:
      logging.exception('Traceback of the error below:')
    print(f'error: {error.filename or FLAGS.workdir!r}: {error.strerror or error}.',
          file=sys.stderr)
    interrupts.exit_promptly(1)
  interrupts.exit_promptly(0)


if __name__ == '__main__':
  usage.exit_if_help_asked(sys.argv, __doc__)
  app.run(main, flags_parser=parse_flags)
