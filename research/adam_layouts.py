"""Can Adam's update of V3's parameters take fewer passes over memory on XLA:CPU?

    python -m research.adam_layouts --layout=optax   (then flat, stacked, copy, norm)

An Adam step needs at least seven passes over the parameters' bytes (read the parameter,
the gradient and both moments; write the parameter and both moments). XLA:CPU has no
multi-output loop fusion, so optax.adam + optax.apply_updates on V3's 16 arrays (6.4 M
floats, 25.5 MB) compiles to three fusions per array that each re-read the gradient: ten
passes. Each layout times the update alone, jitted with the state donated, V3's shapes,
median of 7 timings of 50 calls, and prints the milliseconds per update, the compiled
update's bytes accessed in passes over the parameters (XLA's cost analysis) and its
fusion count:
- optax: jax-ae's update (optax.adam, optax.apply_updates), per array.
- flat: the same on one 6.4 M-float vector (three fusions instead of 48).
- stacked: each array's parameter and moments stacked as [3, ...], written by one
  fusion, so that the gradient is read once.
- copy, norm: the machine's floor for comparison: one read and one write of parameters
  and gradients (p + g, three passes), and the gradient's global norm (one pass).
Quoted in docs/performance.md.
"""

import json
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

LAYOUTS = ('optax', 'flat', 'stacked', 'copy', 'norm')
# V3's parameters: 784-1500-1000-500-20 and its mirror image, kernels and biases.
WIDTHS = (784, 1500, 1000, 500, 20, 500, 1000, 1500, 784)
SHAPES = [shape for fan_in, fan_out in zip(WIDTHS[:-1], WIDTHS[1:])
          for shape in ((fan_in, fan_out), (fan_out,))]
LEARNING_RATE, B1, B2, EPS = 1e-3, 0.9, 0.999, 1e-8


def _stacked_adam(carry, grads):
  """Adam on [parameter, first moment, second moment] stacks, one output per array."""
  stacks, count = carry
  count = count + 1
  unbias1 = 1 - B1 ** count.astype(jnp.float32)
  unbias2 = 1 - B2 ** count.astype(jnp.float32)
  new_stacks = []
  for stack, grad in zip(stacks, grads):
    first = B1 * stack[1] + (1 - B1) * grad
    second = B2 * stack[2] + (1 - B2) * grad * grad
    param = stack[0] - LEARNING_RATE * (first / unbias1) / (jnp.sqrt(second / unbias2) + EPS)
    new_stacks.append(jnp.stack([param, first, second]))
  return new_stacks, count


def update_and_state(layout: str, params, grads):
  """(the jitted update (state, grads) -> state, the initial state, grads in its layout)."""
  if layout in ('optax', 'flat'):
    if layout == 'flat':
      params = [jnp.concatenate([p.ravel() for p in params])]
      grads = [jnp.concatenate([g.ravel() for g in grads])]
    optimizer = optax.adam(LEARNING_RATE)

    def update(carry, grads):
      params, opt_state = carry
      updates, opt_state = optimizer.update(grads, opt_state, params)
      return optax.apply_updates(params, updates), opt_state

    state = (params, optimizer.init(params))
  elif layout == 'stacked':
    update = _stacked_adam
    state = ([jnp.stack([p, jnp.zeros_like(p), jnp.zeros_like(p)]) for p in params],
             jnp.zeros((), jnp.int32))
  elif layout == 'copy':
    update = lambda params, grads: [p + g for p, g in zip(params, grads)]
    state = params
  else:
    assert layout == 'norm', layout
    update = lambda carry, grads: (carry[0], optax.tree.norm(grads))
    state = (params, jnp.zeros(()))
  return jax.jit(update, donate_argnums=0), state, grads


def main(argv) -> int:
  layouts = [arg.split('=', 1)[1] for arg in argv[1:] if arg.startswith('--layout=')]
  if len(layouts) != 1 or layouts[0] not in LAYOUTS:
    print(__doc__)
    return 2
  key = jax.random.PRNGKey(0)
  params = [0.01 * jax.random.normal(jax.random.fold_in(key, i), shape)
            for i, shape in enumerate(SHAPES)]
  grads = [0.01 * jax.random.normal(jax.random.fold_in(key, 100 + i), shape)
           for i, shape in enumerate(SHAPES)]
  parameter_bytes = 4 * sum(int(np.prod(shape)) for shape in SHAPES)
  update, state, grads = update_and_state(layouts[0], params, grads)
  compiled = update.lower(state, grads).compile()
  cost = compiled.cost_analysis()
  cost = cost[0] if isinstance(cost, list) else cost
  for _ in range(5):
    state = update(state, grads)
  jax.block_until_ready(state)
  timings = []
  for _ in range(7):
    start = time.perf_counter()
    for _ in range(50):
      state = update(state, grads)
    jax.block_until_ready(state)
    timings.append((time.perf_counter() - start) / 50)
  print(json.dumps({'layout': layouts[0], 'ms': round(1e3 * float(np.median(timings)), 2),
                    'passes': round(cost['bytes accessed'] / parameter_bytes, 1),
                    'fusions': compiled.as_text().count(' fusion(')}))
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))
