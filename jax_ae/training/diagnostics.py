"""What each layer is doing, measured every `diagnostics.every_steps` steps when asked.

The notebook's failures (V1/V2 stalling, V3's plateau, V5's explosions) each have a
mechanism visible in a few per-layer numbers: units that never fire, a BatchNorm
feature whose batch variance is near zero (so it divides by ~sqrt(epsilon)), updates
large against the parameters they change, a sigmoid code pinned at 0 or 1. `measure`
computes them for one batch in train mode, in its own jitted call beside the train
step, so diagnostics off leave the train step exactly as it was, and on cost one
extra forward and backward pass every `every_steps` steps.

The layers record what only they can see through Linen's `sow` into a 'diagnostics'
collection (layers.TorchBatchNorm, layers.relu); `sow` is a no-op wherever that
collection is not mutable, which is everywhere but here.
"""

from typing import Dict

import flax
import jax
import jax.numpy as jnp
import optax

from jax_ae.datasets import augment
from jax_ae.models import losses
from jax_ae.training import steps

# A batch variance below this makes BatchNorm divide by about sqrt(epsilon): the
# "close to /0" the notebook suspected behind V5's explosions.
TINY_VARIANCE = 1e-6
# A sigmoid output this close to 0 or 1 has a gradient below 0.01 of its maximum.
SATURATION_MARGIN = 0.01


def _path_name(path) -> str:
  return '/'.join(str(getattr(key, 'key', getattr(key, 'idx', key))) for key in path)


def _per_layer(tree) -> Dict[str, jax.Array]:
  """{layer path: global norm} of a params-shaped tree, one entry per module with params."""
  layers = flax.traverse_util.flatten_dict(flax.core.unfreeze(tree))
  grouped: Dict[str, list] = {}
  for path, leaf in layers.items():
    grouped.setdefault('/'.join(path[:-1]), []).append(leaf)
  return {name: optax.tree.norm(leaves) for name, leaves in grouped.items()}


def _sown_summaries(sown) -> Dict[str, jax.Array]:
  """Scalars from the 'diagnostics' collection: per BatchNorm and per ReLU call."""
  summaries = {}
  for path, values in jax.tree_util.tree_flatten_with_path(
      sown, is_leaf=lambda node: isinstance(node, tuple))[0]:
    module, kind = _path_name(path[:-1]) or 'model', _path_name(path[-1:])
    kind, _, after = kind.partition(':')  # layers.relu(..., after=name)
    if after:  # the layer the ReLU follows, inside `module` (not named when it is the model)
      module = after if module == 'model' else f'{module}/{after}'
    for index, value in enumerate(values):  # one value per call, in call order
      layer = f'{module}/{index}' if len(values) > 1 else module
      if kind == 'batch_variance':
        summaries[f'bn_min_variance/{layer}'] = jnp.min(value)
        summaries[f'bn_tiny_variance_features/{layer}'] = jnp.sum(value < TINY_VARIANCE)
      elif kind == 'max_abs_output':
        summaries[f'bn_max_abs_output/{layer}'] = value
      elif kind == 'relu_dead':
        summaries[f'dead_relu_fraction/{layer}'] = jnp.mean(value.astype(jnp.float32))
  return summaries


def _running_variances(batch_stats) -> Dict[str, jax.Array]:
  """{BatchNorm path: running variance}: what evaluation divides by (train=False)."""
  flat = flax.traverse_util.flatten_dict(flax.core.unfreeze(batch_stats))
  return {'/'.join(path[:-1]): leaf for path, leaf in flat.items() if path[-1] == 'var'}


def measure(state, batch, key: jax.Array, loss: losses.Loss,
            augmentation: augment.Augmentation = augment.Augmentation(),
            sigmoid_code: bool = False) -> Dict[str, jax.Array]:
  """Per-layer diagnostics of `state` on `batch`, in train mode; nothing in `state` changes.

  The gradient is that of the train step taken with `key` on `batch`
  (steps.training_loss: the same augmentation, dropout and loss), so grad norms
  and update ratios describe the step training takes. Keys name the measure and the
  layer (its path in the parameter tree): loss (the batch's task loss before the step,
  as training reports it: at step 0, the notebook's first figure), minimised_loss
  (what the gradient is of, where the config's loss differs from the task's), dead_relu_fraction/*,
  bn_min_variance/*, bn_tiny_variance_features/*, bn_max_abs_output/*, grad_norm/*,
  update_ratio/* (the norm of the step Adam would take over the norm of the layer's
  parameters), bn_min_running_variance/* and bn_tiny_running_variance_features/* (the
  running statistics evaluation divides by: a feature that is dead on every training
  batch decays towards 0), and for a sigmoid code, code_saturation (the fraction of
  code values within SATURATION_MARGIN of 0 or 1).
  """
  (total, (means, updates)), grads = jax.value_and_grad(steps.training_loss, has_aux=True)(
      state.params, state, batch, key, loss, augmentation,
      also_mutable=('diagnostics',))
  updates_of_adam, _ = state.tx.update(grads, state.opt_state, state.params)
  summaries = {'loss': means['loss'], **_sown_summaries(updates.get('diagnostics', {}))}
  if not loss.is_the_tasks:
    summaries['minimised_loss'] = total
  parameter_norms = _per_layer(state.params)
  for layer, norm in _per_layer(grads).items():
    summaries[f'grad_norm/{layer}'] = norm
  for layer, norm in _per_layer(updates_of_adam).items():
    summaries[f'update_ratio/{layer}'] = norm / jnp.maximum(parameter_norms[layer], 1e-12)
  for layer, variance in _running_variances(state.batch_stats).items():
    summaries[f'bn_min_running_variance/{layer}'] = jnp.min(variance)
    summaries[f'bn_tiny_running_variance_features/{layer}'] = jnp.sum(variance < TINY_VARIANCE)
  if sigmoid_code:
    code = state.apply_fn({'params': state.params, 'batch_stats': state.batch_stats},
                          batch['image'], train=False, method='encode')
    summaries['code_saturation'] = jnp.mean(
        (code < SATURATION_MARGIN) | (code > 1 - SATURATION_MARGIN))
  return summaries


def measure_at_step(state, train_arrays, batch_indices, steps_in_epoch, run_key: jax.Array,
                    loss: losses.Loss, augmentation: augment.Augmentation, sigmoid_code: bool
                    ) -> Dict[str, jax.Array]:
  """`measure` of the step the epoch takes next (its last, once the epoch is done).

  For train_loops.Trainer: the batch and key are the ones that step uses, picked on the
  device, so a measurement needs no host value and no sync. 'step' is the state's step.
  """
  index = jnp.minimum(steps_in_epoch, batch_indices.shape[0] - 1)
  batch = steps.epoch_batch(train_arrays, batch_indices, index)
  key = steps.step_key(run_key, state.step, index)
  return {'step': state.step, **measure(state, batch, key, loss, augmentation, sigmoid_code)}


def uses_sigmoid_code(model) -> bool:
  """Whether `model`'s code passes through a sigmoid, whose saturation `measure` reports."""
  return getattr(model, 'code_activation', None) is jax.nn.sigmoid
