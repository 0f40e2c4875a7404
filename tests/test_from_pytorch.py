"""docs/from-pytorch.md's complete example runs as written and trains.

The page ends with V1 in plain Flax Linen and optax, one fenced block under the heading
"A complete example"; a reader copies it whole, so it is run here whole, in this process.
"""

import re

from tests.helpers import REPO_ROOT

PAGE = REPO_ROOT / 'docs' / 'from-pytorch.md'
HEADING = '## A complete example'


def complete_example(markdown: str) -> str:
  """The first ```python block after HEADING."""
  assert HEADING in markdown, f'{PAGE.name} has no heading {HEADING!r}'
  after = markdown.split(HEADING, 1)[1]
  found = re.search(r'^```python\n(.*?)^```', after, flags=re.S | re.M)
  assert found, f'{PAGE.name}: no ```python block after {HEADING!r}'
  return found.group(1)


def test_the_complete_example_trains_v1_and_its_loss_falls(capsys):
  namespace = {'__name__': '__from_pytorch_example__'}
  exec(compile(complete_example(PAGE.read_text()), str(PAGE), 'exec'), namespace)  # pylint: disable=exec-used
  losses = namespace['losses']
  assert len(losses) == 16
  assert losses[-1] < 0.9 * losses[0], losses
  assert capsys.readouterr().out.startswith('loss ')
