"""The text of `python main.py --help`: main.py's docstring, the configs, the flags.

absl's own --help exits 1 and knows nothing of the config files; this one exits 0 and
names each config in configs/ with the first line that says what it trains.
"""

import ast
import glob
import os
import sys
from typing import List, Sequence, Tuple

from absl import flags

CONFIGS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           'configs')
HELP_FLAGS = ('--help', '-help', '--helpshort', '-helpshort', '-?', '-h')
# configs/attempts/: the record attempts that did not reach their target, not listed one by one.
ATTEMPTS = 'attempts'
SUMMARY_CHARACTERS = 100


def _first_sentence(paragraph: str) -> str:
  sentence = paragraph.split('. ')[0].rstrip('.') + '.'
  if len(sentence) <= SUMMARY_CHARACTERS:
    return sentence
  return sentence[:SUMMARY_CHARACTERS].rsplit(' ', 1)[0] + ' ...'


def config_summaries(configs_dir: str = CONFIGS_DIR) -> List[Tuple[str, str]]:
  """(path, summary) of each config file outside attempts/: the first sentence of its summary.

  Line 1 of a config's docstring is the command that runs it, so the summary is
  the paragraph after it.
  The files are parsed, not imported: a broken one is listed as such.
  """
  summaries = []
  for path in sorted(glob.glob(os.path.join(configs_dir, '**', '*.py'), recursive=True)):
    name = os.path.relpath(path, configs_dir)
    if os.path.basename(name).startswith('_') or name.startswith(ATTEMPTS + os.sep):
      continue
    try:
      with open(path, encoding='utf-8') as f:
        docstring = ast.get_docstring(ast.parse(f.read())) or ''
    except (OSError, SyntaxError, ValueError):
      docstring = '(cannot be read)'
    paragraphs = [' '.join(paragraph.split()) for paragraph in docstring.split('\n\n')]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    if len(paragraphs) > 1 and paragraphs[0].startswith('python '):
      paragraphs = paragraphs[1:]
    summaries.append((f'configs/{name}', _first_sentence(paragraphs[0]) if paragraphs else ''))
  return summaries


def help_text(main_docstring: str, flag_values: flags.FlagValues = flags.FLAGS) -> str:
  """main.py's docstring, the configs and main.py's flags, as --help prints them."""
  summaries = config_summaries()
  width = max((len(path) for path, _ in summaries), default=0)
  lines = [main_docstring.strip(), '', 'configs (--config=...):']
  lines += [f'  {path.ljust(width)}  {summary}' for path, summary in summaries]
  lines += [f'configs/{ATTEMPTS}/ holds the record attempts that did not reach their target '
            '(docs/records.md).']
  lines += ['', 'configs/default.py holds every config field with its default, and '
            '--mode=config --describe lists', 'what each does; override any of them with '
            '--config.FIELD=VALUE, e.g. --config.num_epochs=3,', 'and see the result with '
            '--mode=config.', '',
            'flags:', flag_values.main_module_help().rstrip(), '',
            'Try --helpfull to get a list of all flags, absl\'s included.']
  return '\n'.join(lines)


def exit_if_help_asked(argv: Sequence[str], main_docstring: str) -> None:
  """Prints `help_text` and exits 0 when the command line asks for help."""
  if any(token in HELP_FLAGS for token in argv[1:]):
    print(help_text(main_docstring))
    sys.exit(0)
