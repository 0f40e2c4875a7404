"""Where a train step's time goes, op by op: a profile of the compiled step on this machine.

    python -m benchmarks.op_profile --config=mnist10 [--steps=30] [--top=25]

Runs `--steps` steps of the config's train step (its own loop, synthetic data,
after a warm-up) under `jax.profiler.trace`, reads the time of each XLA:CPU operation
from the trace and its role from the compiled step's HLO (the op_name each layer leaves
in the metadata), and prints milliseconds per step by role, then the costliest
operations. Roles: a convolution's forward pass, its input gradient, its kernel
gradient (with the upsampling's gradient, where YNNPACK fuses the two), the layout
transposes XLA inserts around kernel gradients, BatchNorm, the activations, pooling,
upsampling, dense layers, the gradient's norm, the optimizer update, and the rest.
Profiling adds a little to each operation; compare the shares, not the total with
`--mode=bench`. The first line also gives the step's span, from its first operation's
start to its last one's end, and how much of it lies inside an operation's event. The
rest is not necessarily idle: work an operation hands to XLA's thread pool may go on after
its event ends (with XLA's own convolutions the longest gaps follow convolutions and
layout transposes); which it is, the trace does not say.
"""

import collections
import glob
import gzip
import json
import re
import tempfile
from typing import Dict, List, Tuple

from absl import app
from absl import flags
import jax

FLAGS = flags.FLAGS

COMPUTATION = re.compile(r'(?:ENTRY )?%(\S+) \(.*\{$')
INSTRUCTION = re.compile(r'\s*(?:ROOT )?%(\S+) = (\S+) ([\w-]+)\(')


def role(op: str, shape: str, op_name: str) -> str:
  """What an optimized HLO instruction does in the step, from its kind, shape and op_name."""
  backward = 'transpose(jvp(' in op_name
  kernel_shaped = re.fullmatch(r'f32\[\d+,3,3,\d+\].*', shape) is not None
  if 'transpose_copy' in op or (op == 'copy' and not op_name):
    return 'layout transposes'
  if kernel_shaped and not op_name.endswith(('/add', '/mul', '/sub', '/div', '/sqrt')):
    return 'conv kernel gradient'
  if 'conv_general_dilated' in op_name or op in ('convolution',):
    return 'conv input gradient' if backward else 'conv forward'
  if op.startswith('ynn_fusion') and backward and 'reduce_sum' in op_name and shape.count(',') >= 1:
    # YNNPACK fuses the upsampling's gradient (a sum over 2x2 blocks) into the input
    # gradient of the conv after it; the root op names only the sum.
    return 'conv input gradient'
  if 'dot_general' in op_name or op == 'dot':
    return 'dense layers'
  if 'BatchNorm' in op_name:
    return 'BatchNorm'
  if 'relu' in op_name or 'select_n' in op_name:
    return 'activations'
  if 'reduce_max' in op_name or 'convert_element_type' in op_name or re.search(
      r'f32\[\d+,\d+,2,\d+,2,', shape):
    return 'pooling'
  if 'broadcast_in_dim' in op_name or ('reduce_sum' in op_name and 'decoder' in op_name):
    return 'upsampling'
  if 'grad_norm/' in op_name:
    return 'gradient norm'
  if 'cond/' in op_name or 'adam' in op_name.lower() or 'optax' in op_name:
    return 'optimizer update'
  return 'other'


def hlo_instructions(hlo_text: str) -> Dict[str, Tuple[str, str, str]]:
  """{instruction name: (shape, opcode, op_name)} of an optimized HLO module's text.

  A fusion whose own line names no op (YNNPACK's fusions) takes the last op_name inside
  the computation it calls: its root often has none, the element-wise ops it fuses do.
  """
  instructions, called, inner_op_names = {}, {}, collections.defaultdict(list)
  computation = None
  for line in hlo_text.splitlines():
    header = COMPUTATION.match(line)
    if header:
      computation = header.group(1)
      continue
    match = INSTRUCTION.match(line)
    if match:
      name, shape, op = match.groups()
      op_name = re.search(r'op_name="([^"]*)"', line)
      if op_name:
        inner_op_names[computation].append(op_name.group(1))
      calls = re.search(r'calls=%([\w.-]+)', line)
      if calls and not op_name:
        called[name] = calls.group(1)
      instructions[name] = (shape, op if not name.startswith(('ynn_fusion', 'transpose_copy'))
                            else name, op_name.group(1) if op_name else '')
  for name, computation in called.items():
    if inner_op_names[computation]:
      shape, op, _ = instructions[name]
      instructions[name] = (shape, op, inner_op_names[computation][-1])
  return instructions


def span_and_covered(intervals: List[Tuple[float, float]]) -> Tuple[float, float]:
  """(first start to last end, time inside at least one interval) of (start, duration) pairs."""
  if not intervals:
    return 0.0, 0.0
  intervals = sorted(intervals)
  first_start, covered, end = intervals[0][0], 0.0, float('-inf')
  for start, duration in intervals:
    if start + duration > end:
      covered += start + duration - max(start, end)
      end = start + duration
  return end - first_start, covered


def profile(config_name: str, num_steps: int):
  """([(instruction, role, shape, ms per step)], (span, covered) in ms per step) of the
  config's compiled train step: `covered` is the time inside at least one operation's
  event, so span - covered is the time between operations."""
  from jax_ae.measure import bench  # pylint: disable=g-import-not-at-top
  from jax_ae.training import steps  # pylint: disable=g-import-not-at-top
  from jax_ae.training import train_loops  # pylint: disable=g-import-not-at-top
  from benchmarks import torch_reference  # pylint: disable=g-import-not-at-top
  config = torch_reference.network_config(config_name)
  trainer = train_loops.Trainer(config, bench.synthetic_split(num_steps * config.batch_size))
  state, key = trainer.create_state(), steps.shuffle_key(0, 1)
  compiled = trainer.compile_step(state, trainer.epoch_batch_indices(key))
  instructions = hlo_instructions(compiled.as_text())
  state, sums = trainer.train_epoch(state, key)
  jax.block_until_ready(sums)
  with tempfile.TemporaryDirectory() as trace_dir:
    with jax.profiler.trace(trace_dir, create_perfetto_trace=True):
      state, sums = trainer.train_epoch(state, key)
      jax.block_until_ready(sums)
    (trace_file,) = glob.glob(f'{trace_dir}/plugins/profile/*/perfetto_trace.json.gz')
    with gzip.open(trace_file) as stream:
      trace = json.load(stream)
  events = trace['traceEvents'] if isinstance(trace, dict) else trace
  micros = collections.Counter()
  intervals = []
  for event in events:
    if event.get('ph') == 'X' and event['name'] in instructions:
      micros[event['name']] += event.get('dur', 0)
      intervals.append((event['ts'], event.get('dur', 0)))
  # Per step, not per call: the scan loop's one call takes all `num_steps` steps.
  span, covered = span_and_covered(intervals)
  rows = []
  for name, total in micros.items():
    shape, op, op_name = instructions[name]
    rows.append((name, role(op, shape, op_name), shape.split('{')[0], total / 1e3 / num_steps))
  return sorted(rows, key=lambda row: -row[3]), (span / 1e3 / num_steps, covered / 1e3 / num_steps)


def format_profile(config_name: str, rows, span_and_covered_ms, top: int) -> str:
  by_role = collections.Counter()
  for _, row_role, _, millis in rows:
    by_role[row_role] += millis
  total = sum(by_role.values())
  span, covered = span_and_covered_ms
  lines = [f'{config_name}: {total:.1f} ms of operations per step; the step spans {span:.1f} ms, '
           f'{covered:.1f} of them inside an operation (the rest lies between operations)', '',
           '| role | ms per step | share |', '| --- | --- | --- |']
  lines += [f'| {name} | {millis:.1f} | {millis / total:.0%} |'
            for name, millis in by_role.most_common()]
  lines += ['', '| operation | role | shape | ms per step |', '| --- | --- | --- | --- |']
  lines += [f'| {name} | {row_role} | {shape} | {millis:.2f} |'
            for name, row_role, shape, millis in rows[:top]]
  return '\n'.join(lines)


def main(argv):
  del argv
  rows, span_and_covered_ms = profile(FLAGS.config, FLAGS.steps)
  print(format_profile(FLAGS.config, rows, span_and_covered_ms, FLAGS.top))


if __name__ == '__main__':
  flags.DEFINE_string('config', 'mnist10', 'The config to profile: a notebook version, a '
                      'benchmarked conv network or a module under configs/ '
                      '(torch_reference.network_config).')
  flags.DEFINE_integer('steps', 30, 'Train steps profiled.')
  flags.DEFINE_integer('top', 25, 'Costliest operations listed.')
  app.run(main)
