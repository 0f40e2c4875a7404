"""losses.py: the scalar a train step minimises and the metrics it reports, from the config."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jax_ae.errors import UserError
from jax_ae.models import losses
from jax_ae.models import networks
from jax_ae.models import tasks
from jax_ae.training import train
from jax_ae.training import train_loops
from jax_ae.workdir import run_files
from jax_ae.workdir import trained
from tests.helpers import step_each_way, tiny_config


def _images(key, count=4):
  return jax.random.uniform(key, (count, 784))


def _added(loss, outputs, images):
  """What `loss`'s terms add to the task's loss on these reconstructions of `images`."""
  total, means = loss({'output': outputs}, {'image': images})
  return total - means['loss']


def test_the_edge_error_of_an_exact_or_uniformly_brighter_reconstruction_is_zero(make_key):
  images = _images(make_key())
  np.testing.assert_array_equal(losses.edge_error(images, images), np.zeros(4))
  # A constant offset leaves every difference of neighbours as it was: the squared
  # error of the pixels sees it, the edge term does not.
  np.testing.assert_allclose(losses.edge_error(images + 0.3, images), np.zeros(4), atol=1e-6)


def test_the_edge_error_is_the_mean_squared_difference_of_neighbours(make_key):
  images, reconstructions = _images(make_key(), 2), _images(make_key(), 2)
  difference = np.asarray(reconstructions - images, np.float64).reshape(2, 28, 28)
  across = [np.mean([(row[i + 1] - row[i]) ** 2 for row in image for i in range(27)])
            for image in difference]
  down = [np.mean([(image[r + 1, c] - image[r, c]) ** 2 for r in range(27) for c in range(28)])
          for image in difference]
  np.testing.assert_allclose(losses.edge_error(reconstructions, images),
                             0.5 * (np.array(across) + np.array(down)), rtol=1e-5)


def test_a_missed_line_costs_the_edge_term_more_than_a_missed_blur_of_the_same_squared_error():
  """Why the term exists: a thin line and a smooth patch of equal pixel error."""
  blank = jnp.zeros((1, 784))
  line = blank.reshape(1, 28, 28).at[0, :, 14].set(1.0).reshape(1, 784)
  patch = jnp.full((1, 784), jnp.sqrt(jnp.mean(jnp.square(line))))
  np.testing.assert_allclose(tasks.reconstruction_loss(line, blank),
                             tasks.reconstruction_loss(patch, blank), rtol=1e-5)
  assert float(losses.edge_error(line, blank)[0]) > 10 * float(
      losses.edge_error(patch, blank)[0])


def test_no_terms_minimise_the_task_loss_itself_and_report_its_metrics(make_key):
  images, outputs = _images(make_key()), _images(make_key())
  total, means = losses.Loss(tasks.RECONSTRUCT)({'output': outputs}, {'image': images})
  assert total is means['loss']
  np.testing.assert_allclose(means['loss'],
                             jnp.mean(tasks.reconstruction_loss(outputs, images)), rtol=1e-6)
  assert losses.Loss(tasks.RECONSTRUCT).is_the_tasks


@pytest.mark.parametrize('weight', (0.5, 2.0))
def test_the_edge_weight_adds_its_multiple_of_the_batch_mean_edge_error(make_key, weight):
  images, outputs = _images(make_key()), _images(make_key())
  total = 0.1 + _added(losses.Loss(tasks.RECONSTRUCT, edge_weight=weight), outputs, images)
  np.testing.assert_allclose(
      total, 0.1 + weight * jnp.mean(losses.edge_error(outputs, images)), rtol=1e-6)


def test_from_config_reads_each_term_where_the_config_keeps_it():
  config = tiny_config('conv_ae')
  config.model.label_weight = 0.01
  config.optim.edge_weight = 0.5
  assert losses.from_config(config) == losses.Loss(tasks.RECONSTRUCT, label_weight=0.01,
                                                   edge_weight=0.5)
  assert losses.from_config(tiny_config('v1')).is_the_tasks  # no label_weight field


def test_the_edge_weight_moves_an_autoencoders_step_and_not_its_reported_loss(make_key):
  _, [(plain_state, plain), (edged_state, edged)], _, _ = step_each_way(
      tiny_config('v2'), make_key, losses.Loss(tasks.RECONSTRUCT),
      losses.Loss(tasks.RECONSTRUCT, edge_weight=1.0))
  np.testing.assert_allclose(edged['loss'], plain['loss'], rtol=1e-6)
  assert float(edged['grad_norm']) != pytest.approx(float(plain['grad_norm']), rel=1e-4)
  moved = jax.tree.map(lambda a, b: bool(np.allclose(a, b)), edged_state.params,
                       plain_state.params)
  assert not all(jax.tree.leaves(moved))


def test_the_pixel_cross_entropy_is_the_direct_formula_on_the_sigmoid(make_key):
  logits = 4 * jax.random.normal(make_key(), (3, 784))
  images = jax.random.uniform(make_key(), (3, 784))
  z, y = np.asarray(logits, np.float64), np.asarray(images, np.float64)
  p = 1 / (1 + np.exp(-z))
  direct = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=-1)
  np.testing.assert_allclose(losses.pixel_cross_entropy(logits, images), direct, rtol=1e-5)


def test_the_pixel_cross_entropy_and_its_gradient_are_finite_where_the_sigmoid_is_0_or_1():
  logits = jnp.array([[-100.0, 100.0, -100.0, 100.0]])
  assert np.array_equal(jax.nn.sigmoid(logits), [[0.0, 1.0, 0.0, 1.0]])  # saturated in float32
  images = jnp.array([[0.0, 1.0, 1.0, 0.0]])  # two pixels right, two wrong by 100 logits
  loss, grad = jax.value_and_grad(lambda z: losses.pixel_cross_entropy(z, images)[0])(logits)
  np.testing.assert_allclose(loss, (0 + 0 + 100 + 100) / 4, rtol=1e-6)
  assert np.all(np.isfinite(grad))


@pytest.mark.parametrize('name', [  # conv_ae's compilation is the slow part: slow lane
    pytest.param(name, marks=pytest.mark.slow) if name == 'conv_ae' else name
    for name, spec in networks.REGISTRY.items() if spec.task == 'reconstruct'])
def test_exactly_the_sigmoid_output_models_return_the_logits_of_their_reconstructions(name,
                                                                                     make_key):
  model = networks.create_model(tiny_config(name).model)
  images = jax.random.uniform(make_key(), (2, 784))
  variables = jax.jit(model.init)(make_key(), images)
  outputs = jax.jit(lambda variables, images: model.apply(
      variables, images, method='outputs'))(variables, images)
  assert ('logits' in outputs) == networks.REGISTRY[name].sigmoid_output
  plain = jax.jit(model.apply)(variables, images)
  np.testing.assert_array_equal(outputs['output'], plain)
  if 'logits' in outputs:
    np.testing.assert_allclose(jax.nn.sigmoid(outputs['logits']), plain, rtol=1e-6)


@pytest.mark.parametrize('name', ('v2', pytest.param('conv_ae', marks=pytest.mark.slow)))
def test_bce_moves_an_autoencoders_step_and_reports_the_same_mse(name, make_key):
  config = tiny_config(name)
  config.optim.reconstruction_loss = 'bce'
  bce = losses.from_config(config)
  assert bce.reconstruction_loss == 'bce' and not bce.is_the_tasks
  state, [(mse_state, mse), (bce_state, bce_metrics)], batch, _ = step_each_way(
      config, make_key, losses.Loss(tasks.RECONSTRUCT), bce)
  np.testing.assert_allclose(bce_metrics['loss'], mse['loss'], rtol=1e-6)
  outputs = jax.jit(lambda state, images: state.apply_fn(
      {'params': state.params, 'batch_stats': state.batch_stats}, images, train=True,
      mutable=['batch_stats'])[0])(state, batch['image'])
  np.testing.assert_allclose(mse['loss'], jnp.mean(tasks.reconstruction_loss(outputs, batch['image'])),
                             rtol=1e-5)
  moved = jax.tree.map(lambda a, b: bool(np.allclose(a, b)), bce_state.params, mse_state.params)
  assert not all(jax.tree.leaves(moved))


def _linear_classifier(key):
  """A frozen 'classifier' whose logits are a fixed linear map of the pixels."""
  weights = jax.random.normal(key, (784, 10)) / 28.0
  return lambda images: images @ weights


def test_the_perceptual_error_is_the_mean_squared_difference_of_the_classifiers_logits(make_key):
  logits_fn = _linear_classifier(make_key())
  images, reconstructions = _images(make_key(), 3), _images(make_key(), 3)
  np.testing.assert_array_equal(losses.perceptual_error(logits_fn, images, images), np.zeros(3))
  difference = (np.asarray(reconstructions, np.float64) - np.asarray(images, np.float64)) @ \
      np.asarray(logits_fn(jnp.eye(784)), np.float64)
  np.testing.assert_allclose(losses.perceptual_error(logits_fn, reconstructions, images),
                             np.mean(np.square(difference), axis=-1), rtol=1e-4)


def test_the_perceptual_target_is_frozen_only_the_reconstruction_is_pulled(make_key):
  logits_fn = _linear_classifier(make_key())
  images, reconstructions = _images(make_key(), 2), _images(make_key(), 2)
  to_images = jax.grad(lambda x: jnp.sum(losses.perceptual_error(logits_fn, reconstructions, x)))
  to_reconstructions = jax.grad(
      lambda r: jnp.sum(losses.perceptual_error(logits_fn, r, images)))
  np.testing.assert_array_equal(to_images(images), np.zeros((2, 784)))
  assert float(jnp.max(jnp.abs(to_reconstructions(reconstructions)))) > 0


@pytest.mark.parametrize('weight', (0.1, 3.0))
def test_the_perceptual_weight_adds_its_multiple_of_the_batch_mean_perceptual_error(make_key,
                                                                                     weight):
  logits_fn = _linear_classifier(make_key())
  images, outputs = _images(make_key()), _images(make_key())
  terms = losses.Loss(tasks.RECONSTRUCT, perceptual_weight=weight, perceptual_logits=logits_fn)
  total = 0.1 + _added(terms, outputs, images)
  np.testing.assert_allclose(
      total, 0.1 + weight * jnp.mean(losses.perceptual_error(logits_fn, outputs, images)),
      rtol=1e-6)


@pytest.mark.parametrize('fraction, batch_size, count', ((1.0, 128, 128), (0.5, 128, 64),
                                                     (0.3, 10, 3), (0.01, 8, 1)))
def test_the_perceptual_count_is_the_rounded_fraction_of_the_batch_at_least_one(
    fraction, batch_size, count):
  assert losses.perceptual_count(fraction, batch_size) == count


def test_a_perceptual_fraction_reads_the_term_on_the_batchs_first_examples_only(make_key):
  logits_fn = _linear_classifier(make_key())
  images, outputs = _images(make_key(), 8), _images(make_key(), 8)
  terms = losses.Loss(tasks.RECONSTRUCT, perceptual_weight=2.0, perceptual_fraction=0.5,
                      perceptual_logits=logits_fn)
  total = 0.1 + _added(terms, outputs, images)
  np.testing.assert_allclose(
      total, 0.1 + 2.0 * jnp.mean(losses.perceptual_error(logits_fn, outputs[:4], images[:4])),
      rtol=1e-6)
  # The last four examples are not read: changing their reconstructions changes nothing.
  changed = outputs.at[4:].set(_images(make_key(), 4))
  np.testing.assert_allclose(
      0.1 + _added(terms, changed, images), total,
      rtol=1e-6)
  whole = 0.1 + _added(terms._replace(perceptual_fraction=1.0), outputs, images)
  assert not np.isclose(float(whole), float(total), rtol=1e-6)


def test_the_perceptual_weight_moves_an_autoencoders_step_and_not_its_reported_loss(make_key):
  terms = losses.Loss(tasks.RECONSTRUCT, perceptual_weight=1.0,
                      perceptual_logits=_linear_classifier(make_key()))
  _, [(plain_state, plain), (pulled_state, pulled)], _, _ = step_each_way(
      tiny_config('v2'), make_key, losses.Loss(tasks.RECONSTRUCT), terms)
  np.testing.assert_allclose(pulled['loss'], plain['loss'], rtol=1e-6)
  moved = jax.tree.map(lambda a, b: bool(np.allclose(a, b)), pulled_state.params,
                       plain_state.params)
  assert not all(jax.tree.leaves(moved))


def test_from_config_takes_the_perceptual_classifier_only_with_its_weight(make_key):
  logits_fn = _linear_classifier(make_key())
  config = tiny_config('v2')
  assert losses.from_config(config, logits_fn) == losses.Loss(tasks.RECONSTRUCT)
  config.optim.perceptual_weight = 0.5
  with pytest.raises(ValueError, match='perceptual_logits'):
    losses.from_config(config)
  assert losses.from_config(config, logits_fn) == losses.Loss(
      tasks.RECONSTRUCT, perceptual_weight=0.5, perceptual_logits=logits_fn)
  config.optim.perceptual_fraction = 0.25
  assert losses.from_config(config, logits_fn).perceptual_fraction == 0.25
  config.optim.perceptual_weight = 0.0  # off: the fraction is not part of the step
  assert losses.from_config(config, logits_fn) == losses.Loss(tasks.RECONSTRUCT)


def test_the_perceptual_classifier_is_refused_where_it_is_missing_or_is_the_judge(tmp_path):
  config = tiny_config('v2')
  assert trained.perceptual_classifier(config) is None  # off: nothing is read
  config.optim.perceptual_weight = 0.5
  config.optim.perceptual_workdir = str(tmp_path / 'features')
  with pytest.raises(UserError, match='holds no trained classifier'):
    trained.perceptual_classifier(config)
  config.evaluate.classifier_workdir = str(tmp_path / 'features') + '/'
  with pytest.raises(UserError, match='is a classifier that judges class fidelity'):
    trained.perceptual_classifier(config)
  # Any judge of a panel.
  config.evaluate.classifier_workdir = f'{tmp_path / "judge"},{tmp_path / "features"}'
  with pytest.raises(UserError, match='is a classifier that judges class fidelity'):
    trained.perceptual_classifier(config)


@pytest.mark.slow
def test_an_autoencoder_trains_on_a_frozen_classifiers_logits_in_the_python_loop(
    tmp_path, mock_tfds, monkeypatch):
  del mock_tfds
  train.train_and_evaluate(tiny_config('cnn'), str(tmp_path / 'features'))
  config = tiny_config('v2')
  config.optim.perceptual_weight = 0.5
  config.optim.perceptual_workdir = str(tmp_path / 'features')
  config.optim.perceptual_model = 'mlp'  # declared otherwise than the workdir holds
  with pytest.raises(UserError, match="holds a cnn classifier.*perceptual_model=cnn"):
    trained.perceptual_classifier(config)
  config.optim.perceptual_model = 'cnn'
  classifier = trained.perceptual_classifier(config)
  images = jax.random.uniform(jax.random.key(0), (8, 784))  # one tiny batch
  assert classifier(images).shape == (8, 10)
  # The step now runs a convolutional network: 'auto' takes the conv models' loop on CPU.
  monkeypatch.setattr(jax, 'default_backend', lambda: 'cpu')
  assert train_loops.Trainer(config, {'image': images, 'label': jnp.arange(8)},
                             perceptual_logits=classifier).loop == 'python'
  train.train_and_evaluate(config, str(tmp_path / 'autoencoder'))
  rows = run_files.RunFiles(str(tmp_path / 'autoencoder'), writes=False).read_metrics()
  assert len(rows) == 2 and all(np.isfinite(row['train_loss']) for row in rows)
