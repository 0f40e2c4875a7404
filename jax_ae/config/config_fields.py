"""Every config field, declared once: its default, what it does, its check, and whether a resumed
run may change it.

`FIELDS` is the table; from it configs/default.py builds the defaults (`default_config`),
config_checks.py checks a config, resume.py decides what a resumed run may change, and
`python main.py --mode=config --describe` lists the fields (`describe`). A new field is one
`Field(...)` line here.

The model's fields (config.model.*) are its module's attributes in jax_ae/models/networks.py, with the
module's defaults; `model_fields` declares them, with checks by attribute name (`MODEL_FIELDS`).
No resumed run may change them: they make it another model.
"""

import dataclasses
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import ml_collections

from jax_ae.datasets import data
from jax_ae.models import layers
from jax_ae.models import networks
from jax_ae.models import tasks

OPTIMIZERS = ('adam', 'sgd')
SCHEDULES = ('exponential', 'cosine')
RECONSTRUCTION_LOSSES = ('mse', 'bce')
LOOPS = ('auto', 'python', 'scan')  # jax_ae/training/train_loops.py runs them


def _is_int(value: Any) -> bool:
  return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
  return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int_tuple(value: Any) -> bool:
  return isinstance(value, (tuple, list)) and all(_is_int(item) for item in value)


# What a value must be before its range is checked, and how to say so.
KINDS = {'bool': (lambda value: isinstance(value, bool), 'True or False'),
         'int': (_is_int, 'an integer'),
         'number': (_is_number, 'a number'),
         'str': (lambda value: isinstance(value, str), 'a string'),
         'int_tuple': (_is_int_tuple, 'integers'),
         'any': (lambda value: True, 'anything')}  # a model attribute of no other kind


def kind_of(value: Any) -> str:
  """The first of KINDS that `value` is, 'any' at the latest."""
  return next(kind for kind, (is_kind, _) in KINDS.items() if is_kind(value))


def _any(value, config) -> bool:
  del value, config
  return True


@dataclasses.dataclass(frozen=True)
class Check:
  """A value of `kind` that passes `test(value, config)`.

  Else '--config.NAME must be WHAT, got VALUE.', where `what` is words or a function of
  the config, for a range that depends on other fields; `reads` names those fields, which
  are checked first.
  """

  kind: str
  test: Callable[[Any, ml_collections.ConfigDict], bool] = _any
  what: Union[str, Callable[[ml_collections.ConfigDict], str], None] = None  # None: the kind's
  reads: Tuple[str, ...] = ()

  def refusal(self, name: str, value: Any, config: ml_collections.ConfigDict) -> Optional[str]:
    is_kind, kind_words = KINDS[self.kind]
    if is_kind(value) and self.test(value, config):
      return None
    what = self.what(config) if callable(self.what) else self.what or kind_words
    return f'--config.{name} must be {what}, got {value!r}.'


@dataclasses.dataclass(frozen=True)
class OneOf:
  """One of `choices`; else 'unknown --config.NAME VALUE; choose one of ...'."""

  choices: Tuple[str, ...]
  reads: Tuple[str, ...] = ()

  def refusal(self, name: str, value: Any, config: ml_collections.ConfigDict) -> Optional[str]:
    del config
    if value in self.choices:
      return None
    return f'unknown --config.{name} {value!r}; choose one of {", ".join(self.choices)}.'


@dataclasses.dataclass(frozen=True)
class AtMostExamples:
  """A batch no larger than the `split` ('train' or 'test') of config.data.name."""

  split: str
  reads: Tuple[str, ...] = ('data.name',)

  def refusal(self, name: str, value: Any, config: ml_collections.ConfigDict) -> Optional[str]:
    most = _examples(config, self.split)
    if value <= most:
      return None
    split_words = {'train': 'training', 'test': 'test'}[self.split]
    return (f'--config.{name} {value} exceeds the {most} {split_words} examples of '
            f'{config.data.name}; use at most {most}.')


@dataclasses.dataclass(frozen=True)
class AllOf:
  """Each of `checks` in turn; the first refusal is the field's."""

  checks: Tuple[Any, ...]

  @property
  def reads(self) -> Tuple[str, ...]:
    return tuple(name for check in self.checks for name in check.reads)

  def refusal(self, name: str, value: Any, config: ml_collections.ConfigDict) -> Optional[str]:
    return next(filter(None, (check.refusal(name, value, config) for check in self.checks)), None)


def _examples(config: ml_collections.ConfigDict, split: str) -> int:
  sizes = data.NUM_TRAIN_EXAMPLES if split == 'train' else data.NUM_TEST_EXAMPLES
  return sizes[config.data.name]


BOOL = Check('bool')
INT = Check('int')
STRING = Check('str')
POSITIVE_INT = Check('int', lambda value, config: value > 0, 'a positive integer')
POSITIVE_NUMBER = Check('number', lambda value, config: value > 0, 'a positive number')
NON_NEGATIVE_NUMBER = Check('number', lambda value, config: value >= 0, '0 or a positive number')


def _unless_cosine(previous: Dict[str, Any], config: ml_collections.ConfigDict) -> bool:
  """unless optim.schedule is cosine, whose schedule ends at num_epochs"""
  return 'cosine' not in (previous.get('optim.schedule'), config.optim.schedule)


@dataclasses.dataclass(frozen=True)
class Field:
  """One config field: `--config.NAME`, its default, one line on what it does, its check, and
  whether a resumed run may change it (True, False, or a function of the earlier run's
  flattened config and this one)."""

  name: str  # dotted, as in the flag: 'optim.learning_rate'
  default: Any
  doc: str
  check: Any  # a Check, OneOf, AtMostExamples or AllOf: anything with .refusal and .reads
  resumable: Union[bool, Callable[[Dict[str, Any], ml_collections.ConfigDict], bool]] = False

  def may_change_on_resume(self, previous: Dict[str, Any],
                           config: ml_collections.ConfigDict) -> bool:
    return self.resumable(previous, config) if callable(self.resumable) else self.resumable


# In the order configs/default.py's get_config() holds them. A resumable field extends
# training, moves the data, changes what is logged or how fast the same steps run, or
# (learning rate, clipping) lets a run that diverged go on from its last good checkpoint;
# any other change would make the checkpoint another run's.
FIELDS: List[Field] = [
    Field('task', 'reconstruct', "What the run learns: 'reconstruct' (autoencoders) or "
          "'classify' (model.name 'cnn').", OneOf(tuple(tasks.TASKS))),
    Field('model.name', 'v1', 'v1 ... v5 (the notebook\'s versions), hinton2006, conv_ae or '
          'cnn; the other model.* fields are that module\'s attributes in jax_ae/models/networks.py. '
          'Each config sets its model with networks.default_model_config(name), then changes '
          'what differs.', OneOf(tuple(networks.REGISTRY))),
    Field('data.name', 'mnist', 'tfds dataset: mnist or fashion_mnist.', OneOf(data.DATASETS)),
    Field('data.manual_dir', '', "Folder with the four IDX .gz files, for machines without "
          "network ('' = download); '{name}' is replaced by data.name, e.g. "
          "'/data/idx/{name}' -> /data/idx/mnist.", STRING, resumable=True),
    Field('data.tfds_data_dir', '', "Where tfds prepares datasets ('' = ~/tensorflow_datasets).",
          STRING, resumable=True),
    Field('data.validation_size', 0, "Training examples held out as a validation split, never "
          "trained on: the last N of tfds's fixed order, the same in every run. Metrics add "
          "val_* per epoch; 0 = none.",
          Check('int', lambda size, config: 0 <= size <= _examples(config, 'train') -
                config.batch_size,
                lambda config: f'0 (none) to {_examples(config, "train")} training examples '
                               f'less one batch', reads=('data.name', 'batch_size'))),
    Field('data.train_subset', 0, 'Train on the first N examples of the (remaining) training '
          'split only; 0 = all of it.',
          Check('int', lambda size, config: size == 0 or
                config.batch_size <= size <= _examples(config, 'train'),
                lambda config: f'0 (all) or from batch_size to {_examples(config, "train")} '
                               f'examples', reads=('data.name', 'batch_size'))),
    Field('augment.max_shift', 0, 'Shift each training image by up to this many pixels, on the '
          'device in the train step (jax_ae/datasets/augment.py); 0 = off.',
          Check('int', lambda shift, config: 0 <= shift < networks.IMAGE_SIDE,
                f'an integer from 0 (off) to {networks.IMAGE_SIDE - 1} pixels')),
    Field('augment.flip', False, 'Mirror half the images left-right (Fashion-MNIST, not digits).',
          BOOL),
    Field('augment.erase_size', 0, 'Cutout: zero a square this many pixels wide (classifiers).',
          Check('int', lambda size, config: 0 <= size <= networks.IMAGE_SIDE,
                f'an integer from 0 (off) to {networks.IMAGE_SIDE} pixels')),
    Field('batch_size', 32, "The notebook's. A last partial batch of an epoch is dropped.",
          AllOf((POSITIVE_INT, AtMostExamples('train')))),
    Field('eval_batch_size', 1000, 'Test-set batch; padded and masked, every image counts once.',
          AllOf((POSITIVE_INT, AtMostExamples('test'))), resumable=True),
    Field('num_epochs', 5, 'Epochs to train; a cosine schedule ends at the last.', POSITIVE_INT,
          resumable=_unless_cosine),
    Field('seed', 0, "Seeds initialisation and each epoch's shuffle: same seed, same run.", INT),
    Field('optim.name', 'adam', "'adam' (AdamW with weight_decay > 0), or 'sgd': plain SGD, no "
          "momentum, which the notebook's figures need (docs/notebook.md).", OneOf(OPTIMIZERS)),
    Field('optim.learning_rate', 1e-3, "Initial learning rate (the notebook's Adam default).",
          POSITIVE_NUMBER, resumable=True),
    Field('optim.decay_rate', 1.0, 'The exponential schedule: lr = learning_rate * decay_rate '
          '** (step / transition_steps), one factor per transition; 1.0 keeps the rate '
          'constant.', POSITIVE_NUMBER),
    Field('optim.transition_epochs', 1.0, 'Epochs per decay transition (transition_steps = '
          'transition_epochs * steps_per_epoch).', POSITIVE_NUMBER),
    Field('optim.staircase', True, 'Decay in steps at each transition, not continuously.', BOOL),
    Field('optim.schedule', 'exponential', "'exponential' (the three fields above) or 'cosine': "
          "a linear warm-up from 0 over warmup_epochs, then half a cosine from learning_rate "
          "to 0 at the last epoch.", OneOf(SCHEDULES)),
    Field('optim.warmup_epochs', 0.0, "The cosine schedule's warm-up, in epochs.",
          Check('number', lambda epochs, config: 0 <= epochs < config.num_epochs,
                lambda config: f'from 0 (none) to less than num_epochs ({config.num_epochs})',
                reads=('num_epochs',))),
    Field('optim.clip_norm', 0.0, 'Clip gradients to this global norm first; 0 turns it off.',
          Check('number', lambda norm, config: norm >= 0, '0 (off) or a positive number'),
          resumable=True),
    # Below 1: a step never shrinks a kernel past zero.
    Field('optim.weight_decay', 0.0, "AdamW's decoupled decay of the kernels, per unit of "
          "learning rate; 0 = plain Adam.",
          Check('number', lambda decay, config: 0 <= decay < 1, 'in [0, 1) (0 = off)')),
    Field('optim.label_smoothing', 0.0, 'Classifiers: train against targets of 1 - '
          'label_smoothing on the label and the rest spread over all classes '
          '(optax.smooth_labels); 0 = one-hot. The metrics still report the plain '
          'cross-entropy, which smoothing raises: compare such runs by accuracy.',
          Check('number', lambda amount, config: 0 <= amount < 1,
                'in [0, 1) (0 = one-hot targets)')),
    Field('optim.edge_weight', 0.0, "Autoencoders: add this weight times the squared error of "
          "neighbouring pixels' differences (jax_ae/models/losses.py), which pays for thin edges; "
          "0 = off.",
          Check('number', lambda weight, config: weight >= 0, '0 (off) or a positive weight')),
    Field('optim.perceptual_weight', 0.0, "Autoencoders: add this weight times the squared "
          "error of a frozen classifier's logits, reconstruction against image "
          "(jax_ae/models/losses.py); 0 = off.",
          Check('number', lambda weight, config: weight >= 0, '0 (off) or a positive weight')),
    Field('optim.perceptual_workdir', '', "The workdir of that classifier, trained on the same "
          "data; not the one that judges class fidelity.", STRING),
    Field('optim.perceptual_model', 'cnn', "That classifier's model.name (cnn or mlp), checked "
          "against its workdir when it is loaded: a convolutional one makes the step "
          "convolutional, which train.loop=auto counts.",
          OneOf(('cnn', 'mlp'))),
    Field('optim.perceptual_fraction', 1.0, "The part of each batch that term reads: its "
          "first round(fraction x batch size) examples, at least one (batches are shuffled, so "
          "a random subset). Below 1 the classifier's three passes a step cost that part.",
          Check('number', lambda fraction, config: 0 < fraction <= 1,
                'in (0, 1] (1 = the whole batch)')),
    Field('optim.reconstruction_loss', 'mse', "Autoencoders with a sigmoid output (v2, "
          "hinton2006, conv_ae): 'bce' trains on the pixels' binary cross-entropy, from the "
          "logits (jax_ae/models/losses.py); the metrics stay MSE.", OneOf(RECONSTRUCTION_LOSSES)),
    # Not resumable: the average so far was kept with the old decay.
    Field('optim.ema_decay', 0.0, 'Also keep an exponential moving average of the parameters '
          'with this decay (0 = off, 0.999 typical), evaluated beside them each epoch '
          '(val_ema_*) and saved as model_ema.msgpack.',
          Check('number', lambda decay, config: 0 <= decay < 1,
                'in [0, 1) (0 = off, e.g. 0.999)')),
    Field('train.loop', 'auto', 'python: a Python loop over a jitted, donated step. scan: many '
          'steps in one jitted device loop. auto: the faster on this backend '
          '(jax_ae/training/train_loops.py).', OneOf(LOOPS), resumable=True),
    Field('train.steps_per_call', 100, 'Scan loop: steps per call (0 = the whole epoch). '
          'Ctrl-C takes effect between calls: 100 keeps that within seconds for V3 on a CPU '
          'at under 1% dispatch cost.',
          Check('int', lambda steps, config: steps >= 0, '0 (whole epoch) or a positive integer'),
          resumable=True),
    # 100: the console logs per epoch and by time, not every N steps, so there is no
    # logging interval to follow; 100 gives an MNIST epoch at batch 32 (1875 steps) 18 or
    # 19 measured steps for its mean, at a hundredth of the norm's pass over the gradient.
    Field('train.grad_norm_every_steps', 100, "Measure the gradient's global norm every N "
          "steps (those taken from a step count that is a multiple of N, the run's first "
          "included); metrics' grad_norm is the mean over an epoch's measured steps. 1 = every "
          "step; optim.clip_norm > 0 measures every step, as its clipping computes the norm "
          "anyway.", POSITIVE_INT, resumable=True),
    Field('bench.batch_sizes', (), '--mode=bench batch sizes, e.g. '
          '--config.bench.batch_sizes=32,256,1024; () = batch_size.',
          Check('int_tuple', lambda sizes, config: all(
              0 < size <= _examples(config, 'train') for size in sizes),
                lambda config: f'positive integers up to {_examples(config, "train")}, the '
                               f'training examples of {config.data.name} (e.g. 32,256,1024)',
                reads=('data.name',)), resumable=True),
    Field('bench.repetitions', 5, 'Timed runs per figure; the median is reported.', POSITIVE_INT,
          resumable=True),
    Field('diagnostics.every_steps', 0, 'Per-layer diagnostics (jax_ae/training/diagnostics.py: dead '
          'ReLUs, BatchNorm variances, gradient and update sizes) every N steps, into '
          'diagnostics.jsonl, TensorBoard and diagnostics.png; 0 = off, and off the train '
          'step is exactly as without them.',
          Check('int', lambda steps, config: steps >= 0, '0 (off) or a positive number of steps'),
          resumable=True),
    Field('checkpoint_every_epochs', 1, 'Orbax checkpoint period; the last epoch always saves.',
          POSITIVE_INT, resumable=True),
    Field('keep_checkpoints', 3, 'Newest checkpoints kept in workdir/checkpoints.', POSITIVE_INT,
          resumable=True),
    Field('restart', False, "True: delete the workdir's previous run and start over.", BOOL,
          resumable=True),
    Field('num_reconstructions', 10, 'Test images in reconstructions.png: one per class first.',
          POSITIVE_INT, resumable=True),
    Field('evaluate.classifier_workdir', '', "--mode=evaluate: workdir of the classifier "
          "that judges reconstructions, or several, comma-separated: a panel whose mean is the "
          "class fidelity, each judge's reading reported ('' = runs/cnn_mnist for MNIST, "
          "runs/cnn_fashion for Fashion-MNIST, where docs/cnns.md's commands train them).",
          STRING, resumable=True),
    Field('evaluate.cache_dir', '', "--mode=evaluate: PCA and mean-image baselines "
          "('' = ~/.cache/jax_ae).", STRING, resumable=True),
    # A record's claim (docs/records.md): --mode=report's records table reads these from
    # the runs of a config, one run per seed, and says whether the means reach them. They
    # never change training.
    Field('record.max_test_mse', 0.0, 'Record target: the seeds\' mean test MSE at most '
          'this; 0 = none.', NON_NEGATIVE_NUMBER, resumable=True),
    Field('record.min_class_fidelity', 0.0, 'Record target: the seeds\' mean class fidelity '
          '(eval.json) at least this; 0 = none.', NON_NEGATIVE_NUMBER, resumable=True),
    Field('record.max_sse_per_image', 0.0, 'Record target: the seeds\' mean squared error '
          'per test image (MSE x 784) at most this; 0 = none.', NON_NEGATIVE_NUMBER,
          resumable=True),
    Field('record.min_test_accuracy', 0.0, 'Record target for a classifier: the seeds\' '
          'mean test accuracy at least this; 0 = none.', NON_NEGATIVE_NUMBER, resumable=True),
    Field('record.max_minutes', 0.0, 'Record target: every seed\'s training command done in '
          'at most this many minutes, data preparation included; 0 = none.',
          NON_NEGATIVE_NUMBER, resumable=True),
    Field('record.seeds', 0, 'Runs, one per seed (0, 1, ...), whose mean the claim is; 0 = '
          'no record.', Check('int', lambda count, config: count >= 0,
                               '0 (no record) or a number of seeds'), resumable=True),
]


def _features(value, config) -> bool:
  return 0 < len(value) <= networks.REGISTRY[config.model.name].max_blocks and all(
      size > 0 for size in value)


# The checks and docs of the model attributes that models share by name; another
# attribute is checked for its default's kind.
MODEL_FIELDS = {
    'code_dim': ('Width of the code between encoder and decoder.', POSITIVE_INT),
    'hidden_units': ("Units of the hidden dense layer (V1/V2: H, which the notebook does not "
                     "state).", POSITIVE_INT),
    'hidden_widths': ("Widths of the hidden layers: an autoencoder's encoder (its decoder "
                      "mirrors them), or mlp's.",
                      Check('int_tuple', lambda widths, config: len(widths) > 0 and all(
                          width > 0 for width in widths),
                            'positive integers (layer widths, e.g. 128,64,32)')),
    'features': ('Channels per conv block, one entry per block (each halves the image side).',
                 Check('int_tuple', _features, lambda config: (
                     f'1 to {networks.REGISTRY[config.model.name].max_blocks} positive integers '
                     f'(channels per conv block, e.g. 16,32) for {config.model.name}'),
                       reads=('model.name',))),
    'convs_per_block': ('Conv layers at each resolution.', POSITIVE_INT),
    'dense_units': ("Units of the classifier's dense layer.", POSITIVE_INT),
    'batch_norm': ("BatchNorm after each convolution (PyTorch's rule).", BOOL),
    'upsample': ("The decoder's upsampling: nearest or bilinear.", OneOf(layers.UPSAMPLING)),
    'dropout_rate': ('Dropout in training, 0 = off: cnn before and after its dense layer, '
                     'hinton2006 and mlp after each hidden layer.',
                     Check('number', lambda rate, config: 0 <= rate < 1, 'in [0, 1)')),
    'hidden_activation': ("hinton2006's hidden layers' activation (relu: the paper's "
                          "fine-tuned network's; gelu and silu are smooth).",
                          OneOf(tuple(networks.HIDDEN_ACTIVATIONS))),
    'label_weight': ('Weight of a softmax head on the code, a supervised autoencoder; 0 = off.',
                     Check('number', lambda weight, config: weight >= 0,
                           '0 (off) or a positive weight')),
    'test_time_flip': ("Evaluate on the mean of the image's and its mirror's logits (clothes, "
                       "not digits).", BOOL),
}


def model_fields(model_name: str) -> List[Field]:
  """The fields of registered model `model_name` (none for another name), with its defaults."""
  if model_name not in networks.REGISTRY:
    return []
  spec = networks.REGISTRY[model_name]
  fields = []
  for name, default in spec.fields.items():
    doc, check = MODEL_FIELDS.get(name, (f'An attribute of models.{spec.module.__name__}.',
                                         Check(kind_of(default))))
    fields.append(Field(f'model.{name}', default, doc, check))
  return fields


def declared(model_name: str) -> List[Field]:
  """FIELDS, with model `model_name`'s own fields after model.name."""
  fields = []
  for field in FIELDS:
    fields.append(field)
    if field.name == 'model.name':
      fields.extend(model_fields(model_name))
  return fields


def default_config() -> ml_collections.ConfigDict:
  """Every field with its default, in FIELDS's order: configs/default.py's get_config()."""
  config = ml_collections.ConfigDict()
  model_name = next(field.default for field in FIELDS if field.name == 'model.name')
  for field in declared(model_name):
    *parents, leaf = field.name.split('.')
    holder = config
    for parent in parents:
      if parent not in holder:
        holder[parent] = ml_collections.ConfigDict()
      holder = holder[parent]
    holder[leaf] = field.default
  return config


def value_of(config: ml_collections.ConfigDict, dotted_name: str) -> Any:
  value = config
  for part in dotted_name.split('.'):
    value = value[part]
  return value


def has(config: ml_collections.ConfigDict, dotted_name: str) -> bool:
  try:
    value_of(config, dotted_name)
  except (KeyError, AttributeError):
    return False
  return True


def _as_flag(value: Any) -> str:
  """How the value is written on the command line: --config.NAME=VALUE."""
  if isinstance(value, (tuple, list)):
    return ','.join(str(item) for item in value) if value else '()'
  if isinstance(value, str):
    return value or "''"
  return str(value)


def describe(config: ml_collections.ConfigDict) -> str:
  """One line per field of `config`: its flag with the value, what it does, and whether a
  resumed run may change it; for `--mode=config --describe`."""
  lines = []
  for field in declared(config.model.name):
    if not has(config, field.name):
      continue  # a model field left to the module's default
    if callable(field.resumable):
      resume = f' May change on resume, {field.resumable.__doc__.strip()}.'
    else:
      resume = ' May change on resume.' if field.resumable else ''
    lines.append(f'--config.{field.name}={_as_flag(value_of(config, field.name))}  '
                 f'{field.doc}{resume}')
  return '\n'.join(lines)
