"""TensorBoard event files in a run's workdir: its scalars and pictures per step.

`tensorboard --logdir runs/` reads them. Written through tensorboard's own
EventFileWriter, without TensorFlow (BUILD.md says why not another writer).
"""

import math
import sys
import time
import types
from typing import Dict, Optional

from absl import logging

from jax_ae.figures.plots import Picture


class EventWriter:
  """Scalars and PNG images as TensorBoard events, without importing TensorFlow.

  The event file is opened at the first write; with `writes` False (a process other
  than the first of a multi-process run) nothing is written.
  """

  def __init__(self, logdir: str, writes: bool = True):
    self._logdir = logdir
    self._writes = writes
    self._opened = False
    self._writer = None

  def _open(self) -> None:
    """Opens the event file once; leaves `_writer` None where nothing is to be written."""
    if self._opened or not self._writes:
      return
    self._opened = True
    # tensorboard reaches files through `tensorboard.compat.tf`, which imports all of
    # TensorFlow when it is installed (tfds needs it): 3-10 s of every run's start, for
    # a file write. A module named tensorboard.compat.notf is tensorboard's own switch
    # to its TensorFlow-free stub (local files); it changes nothing else.
    sys.modules.setdefault('tensorboard.compat.notf', types.ModuleType('tensorboard.compat.notf'))
    try:
      # pylint: disable=g-import-not-at-top
      from tensorboard.compat.proto import summary_pb2
      from tensorboard.compat.proto import event_pb2
      from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError:
      logging.warning('tensorboard is not installed: no TensorBoard events are written.')
      return
    self._summary_pb2, self._event_pb2 = summary_pb2, event_pb2
    self._writer = EventFileWriter(self._logdir)

  def purge_from(self, step: int) -> None:
    """Tells TensorBoard to drop this run's events from `step` on: they are being redone.

    A SessionLog START event, as `torch.utils.tensorboard`'s `purge_step` writes: the
    Python loader (`--load_fast=false`, EventAccumulator) discards the earlier events
    at or after its step. RustBoard, the default loader, needs no marker: a point at
    step s already replaces its series' points at steps >= s.
    """
    self._open()
    if self._writer is None:
      return
    self._writer.add_event(self._event_pb2.Event(
        step=step, wall_time=time.time(),
        session_log=self._event_pb2.SessionLog(status=self._event_pb2.SessionLog.START)))
    self._writer.flush()

  def write(self, step: int, scalars: Dict[str, float],
            images: Optional[Dict[str, Picture]] = None) -> None:
    """One event at `step`: the finite ones of `scalars`, and `images` as PNGs."""
    self._open()
    if self._writer is None:
      return
    summary_pb2 = self._summary_pb2
    values = [summary_pb2.Summary.Value(tag=name, simple_value=value)
              for name, value in scalars.items() if math.isfinite(value)]
    for name, picture in (images or {}).items():
      image = summary_pb2.Summary.Image(height=picture.height, width=picture.width,
                                        colorspace=4, encoded_image_string=picture.png)
      values.append(summary_pb2.Summary.Value(tag=name, image=image))
    self._writer.add_event(self._event_pb2.Event(
        step=step, wall_time=time.time(), summary=summary_pb2.Summary(value=values)))
    self._writer.flush()
