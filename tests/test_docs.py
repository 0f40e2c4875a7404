"""Every command the docs give runs as written: `python main.py ...`, `python -m benchmarks...`
and `python -m research...`.

The commands are read from README.md, BUILD.md, docs/*.md and research/README.md (fenced blocks and inline
code), with their shell loops and variables expanded, and resolved without running
anything: main.py's flags and config as `--mode=config` would (tests/resolve_commands.py,
one process for all), a benchmark or research module through its `--help`, which must list every
flag the command passes. A renamed flag, config, config field or module fails here.
"""

import json
import re
import shlex
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT

DOC_FILES = ('README.md', 'BUILD.md', 'research/README.md', *sorted(
    str(path.relative_to(REPO_ROOT)) for path in (REPO_ROOT / 'docs').glob('*.md')))
# Placeholders the docs write for "any config": resolved with V1's.
PLACEHOLDERS = {'configs/NAME.py': 'configs/v1.py', 'runs/NAME': 'runs/v1',
                'configs/vN.py': 'configs/v1.py', 'runs/vN': 'runs/v1',
                'configs/name.py': 'configs/v1.py', 'runs/name': 'runs/v1'}
SEPARATORS = {';', '&&', '&', '|', '||'}
ASSIGNMENT = re.compile(r'^([A-Za-z_]\w*)=(\S*)(\s+#.*)?$')
LOOP = re.compile(r'^for (\w+) in (.*); do$')
COMMAND = re.compile(r'python (main\.py|-m (benchmarks|research)\b)')
MODULE_PACKAGES = ('benchmarks.', 'research.')


def _expand(token, variables, problems, where):
  """$NAME and ${NAME} replaced by the page's values; an unset one is a problem."""
  def value(match):
    name = match.group(1) or match.group(2)
    if name not in variables:
      problems.append(f'{where}: ${name} is used but never set in the page')
      return ''
    return variables[name]
  return re.sub(r'\$\{(\w+)\}|\$(\w+)', value, token)


def _tokens(line):
  """The shell words of `line`, comments dropped, ; & | && || as words of their own."""
  lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
  lexer.whitespace_split = True
  return list(lexer)


def _commands_of_line(line, variables, problems, where):
  """(where, program, args) of each main.py, benchmarks or research command in one shell line."""
  segments, segment = [], []
  for token in _tokens(line) + [';']:
    if token in SEPARATORS:
      segments.append(segment)
      segment = []
    else:
      expanded = _expand(token, variables, problems, where)
      if expanded:  # an empty expansion is no word, as in the shell
        segment.append(expanded)
  found = []
  for segment in segments:
    while segment and ASSIGNMENT.match(segment[0]):  # VAR=value before a command
      segment = segment[1:]
    if segment[:2] == ['python', 'main.py']:
      found.append((where, 'main.py', segment[2:]))
    elif segment[:2] == ['python', '-m'] and segment[2].startswith(MODULE_PACKAGES):
      found.append((where, segment[2], segment[3:]))
  return found


def _lines(text):
  """The page's shell lines: fenced blocks line by line (continuations joined), and
  each inline code span that holds a command; with the fence they sit in, if any."""
  in_fence = False
  pending = ''
  for number, raw in enumerate(text.splitlines(), start=1):
    if raw.lstrip().startswith('```'):
      in_fence = not in_fence
      continue
    if in_fence:
      if raw.rstrip().endswith('\\'):
        pending += raw.rstrip()[:-1] + ' '
        continue
      yield number, pending + raw.strip(), True
      pending = ''
    else:
      yield number, raw, False


def doc_commands(relative_path):
  """([(where, program, args)], [problem]) for every main.py and benchmarks command of a page."""
  text = (REPO_ROOT / relative_path).read_text()
  for placeholder, value in PLACEHOLDERS.items():
    text = text.replace(placeholder, value)
  variables, loops, found, problems = {}, [], [], []
  # Inline code spans may wrap across lines: search the whole prose outside fences.
  prose = re.sub(r'```.*?```', '', text, flags=re.S)
  for span in re.findall(r'`([^`]+)`', prose):
    span = ' '.join(span.split())
    if COMMAND.search(span):
      found += _commands_of_line(span, variables, problems, f'{relative_path}: `{span}`')
  for number, line, fenced in _lines(text):
    where = f'{relative_path}:{number}'
    line = line.strip()
    if not fenced:
      continue
    loop = LOOP.match(line)
    if loop:
      values = [_expand(value, variables, problems, where) for value in shlex.split(loop.group(2))]
      loops.append((loop.group(1), values))
    elif line.startswith('done'):
      loops.pop()
    elif ASSIGNMENT.match(line):
      name, value = line.split('=', 1)
      variables[name] = _expand(_tokens(value)[0] if _tokens(value) else '', variables,
                                problems, where)
    elif COMMAND.search(line):
      bindings = [{}]
      for name, values in loops:
        bindings = [{**binding, name: value} for binding in bindings for value in values]
      for binding in bindings:
        found += _commands_of_line(line, {**variables, **binding}, problems, where)
  return found, problems


PAGES = {path: doc_commands(path) for path in DOC_FILES}
ALL_COMMANDS = [command for commands, _ in PAGES.values() for command in commands]


def test_every_variable_a_command_uses_is_set_on_its_page():
  problems = [problem for _, page_problems in PAGES.values() for problem in page_problems]
  assert not problems, '\n'.join(problems)


def test_the_docs_hold_the_commands_of_every_page():
  pages = {where.split(':')[0] for where, _, _ in ALL_COMMANDS}
  assert {'README.md', 'BUILD.md', 'docs/evaluation.md', 'docs/records.md',
          'docs/notebook.md', 'research/README.md'} <= pages
  # The loops are expanded: evaluation.md trains and evaluates each of eight versions.
  evaluation = [args for where, program, args in ALL_COMMANDS
                if where.startswith('docs/evaluation.md:') and program == 'main.py']
  assert sum('--config=configs/hinton2006.py' in args for args in evaluation) == 2


def test_every_main_py_command_in_the_docs_resolves():
  main_commands = [(where, args) for where, program, args in ALL_COMMANDS
                   if program == 'main.py']
  resolved = subprocess.run(
      [sys.executable, str(REPO_ROOT / 'tests' / 'resolve_commands.py')],
      input=json.dumps([args for _, args in main_commands]), capture_output=True, text=True,
      cwd=REPO_ROOT, check=True, timeout=300)
  errors = [f'{where}: python main.py {shlex.join(args)}\n  {error}'
            for (where, args), error in zip(main_commands, json.loads(resolved.stdout))
            if error is not None]
  assert not errors, '\n'.join(errors)


@pytest.mark.slow  # a subprocess per module: main.py's commands above stay in the quick lane
@pytest.mark.parametrize('module', sorted({program for _, program, _ in ALL_COMMANDS
                                           if program != 'main.py'}))
def test_every_module_command_in_the_docs_names_a_module_and_flags_it_has(module):
  shown = subprocess.run([sys.executable, '-m', module, '--help'], capture_output=True,
                         text=True, cwd=REPO_ROOT, timeout=120)
  help_text = shown.stdout + shown.stderr
  assert 'Traceback' not in help_text and '--' in help_text, help_text
  missing = [f'{where}: --{name}' for where, program, args in ALL_COMMANDS if program == module
             for name in (re.match(r'--(\w+)', arg).group(1) for arg in args
                          if re.match(r'--\w+', arg))
             if not re.search(rf'--{name}\b', help_text)]
  assert not missing, f'{module} --help lists no such flag: {missing}'
