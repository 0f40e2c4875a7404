"""python main.py --config=configs/default.py --workdir=runs/default

Every field jax-ae reads, with its default; the other configs change what differs.

Any field can be overridden on the command line, e.g. `--config.num_epochs=3`.
"""

import ml_collections

from jax_ae import models


def get_config() -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()

  # What the run learns: 'reconstruct' (autoencoders) or 'classify' (model.name 'cnn').
  config.task = 'reconstruct'

  # `name`: v1 ... v5 (the notebook's versions), hinton2006, conv_ae or cnn; the other
  # fields are that module's attributes in jax_ae/models.py, with its defaults. V1's:
  # hidden_units (H, which the notebook does not state) and code_dim. Each config sets
  # its model with `models.default_model_config(name)`, then changes what differs.
  config.model = models.default_model_config('v1')

  config.data = ml_collections.ConfigDict()
  config.data.name = 'mnist'  # tfds dataset: mnist or fashion_mnist.
  # Folder with the four IDX .gz files, for machines without network ('' = download).
  # '{name}' is replaced by data.name, e.g. '/data/idx/{name}' -> /data/idx/mnist.
  config.data.manual_dir = ''
  config.data.tfds_data_dir = ''  # Where tfds prepares datasets ('' = ~/tensorflow_datasets).
  # Training examples held out as a validation split, never trained on: the last N of
  # tfds's fixed order, the same in every run. Metrics add val_* per epoch; 0 = none.
  config.data.validation_size = 0
  # Train on the first N examples of the (remaining) training split only; 0 = all of it.
  config.data.train_subset = 0

  # Training-time augmentation, drawn on the device in the train step (jax_ae/augment.py).
  config.augment = ml_collections.ConfigDict()
  config.augment.max_shift = 0  # Shift each image by up to this many pixels; 0 = off.
  config.augment.flip = False  # Mirror half the images left-right (Fashion-MNIST, not digits).
  config.augment.erase_size = 0  # Cutout: zero a square this many pixels wide (classifiers).

  config.batch_size = 32  # The notebook's. A last partial batch of an epoch is dropped.
  config.eval_batch_size = 1000  # Test-set batch; padded and masked, every image counts once.
  config.num_epochs = 5
  config.seed = 0  # Seeds initialisation and each epoch's shuffle: same seed, same run.

  config.optim = ml_collections.ConfigDict()
  # 'adam' (AdamW with weight_decay > 0), or 'sgd': plain SGD, no momentum, which the
  # notebook's figures need (docs/notebook.md). Not changeable on resume.
  config.optim.name = 'adam'
  # The optimizer on optax.exponential_decay: lr = learning_rate * decay_rate ** (step / transition_steps),
  # with transition_steps = transition_epochs * steps_per_epoch.
  config.optim.learning_rate = 1e-3  # Initial learning rate (the notebook's Adam default).
  config.optim.decay_rate = 1.0  # Factor per transition; 1.0 keeps the rate constant.
  config.optim.transition_epochs = 1.0  # Epochs per decay transition.
  config.optim.staircase = True  # Decay in steps at each transition, not continuously.
  # 'exponential' (the three fields above) or 'cosine': a linear warm-up from 0 over
  # warmup_epochs, then half a cosine from learning_rate to 0 at the last epoch. A
  # cosine run's num_epochs is part of its schedule, so not changeable on resume.
  config.optim.schedule = 'exponential'
  config.optim.warmup_epochs = 0.0
  config.optim.clip_norm = 0.0  # Clip gradients to this global norm first; 0 turns it off.
  # AdamW's decoupled decay of the kernels, per unit of learning rate; 0 = plain Adam.
  # Not changeable on resume: it changes the optimizer state.
  config.optim.weight_decay = 0.0
  # Classifiers: train against targets of 1 - label_smoothing on the label and the rest
  # spread over all classes (optax.smooth_labels); 0 = one-hot. The metrics still report
  # the plain cross-entropy, which smoothing raises (it caps the confidence): compare
  # such runs by accuracy.
  config.optim.label_smoothing = 0.0
  # Autoencoders: add this weight times the squared error of neighbouring pixels'
  # differences (jax_ae/objective.py), which pays for thin edges; 0 = off.
  config.optim.edge_weight = 0.0
  # Records II (issue 39): off by default, neither changeable on resume.
  # Autoencoders with a sigmoid output (v2, hinton2006, conv_ae): 'bce' trains on the
  # pixels' binary cross-entropy, from the logits (jax_ae/objective.py); metrics stay MSE.
  config.optim.reconstruction_loss = 'mse'
  # Also keep an exponential moving average of the parameters with this decay (0 = off,
  # 0.999 typical), evaluated beside them each epoch (val_ema_*) and saved as model_ema.msgpack.
  config.optim.ema_decay = 0.0

  config.train = ml_collections.ConfigDict()
  # python: a Python loop over a jitted, donated step. scan: many steps in one jitted
  # device loop. auto: the faster on this backend (jax_ae/train_loops.py).
  config.train.loop = 'auto'
  # Scan loop: steps per call (0 = the whole epoch). Ctrl-C takes effect between calls:
  # 100 keeps that within seconds for V3 on a CPU at under 1% dispatch cost.
  config.train.steps_per_call = 100

  config.bench = ml_collections.ConfigDict()
  # --mode=bench batch sizes, e.g. --config.bench.batch_sizes=32,256,1024; () = batch_size.
  config.bench.batch_sizes = ()
  config.bench.repetitions = 5  # Timed runs per figure; the median is reported.

  # Per-layer diagnostics (jax_ae/diagnostics.py: dead ReLUs, BatchNorm variances, gradient
  # and update sizes) every N steps, into diagnostics.jsonl, TensorBoard and
  # diagnostics.png; 0 = off, and off the train step is exactly as without them.
  config.diagnostics = ml_collections.ConfigDict()
  config.diagnostics.every_steps = 0

  config.checkpoint_every_epochs = 1  # Orbax checkpoint period; the last epoch always saves.
  config.keep_checkpoints = 3  # Newest checkpoints kept in workdir/checkpoints.
  config.restart = False  # True: delete the workdir's previous run and start over.

  config.num_reconstructions = 10  # Test images in reconstructions.png: one per class first.

  # --mode=evaluate (jax_ae/evaluate.py).
  config.evaluate = ml_collections.ConfigDict()
  # Workdir of the CNN classifier that judges reconstructions ('' = runs/cnn_mnist for
  # MNIST, runs/cnn_fashion for Fashion-MNIST, where README's commands train them).
  config.evaluate.classifier_workdir = ''
  config.evaluate.cache_dir = ''  # PCA and mean-image baselines ('' = ~/.cache/jax_ae).
  return config
