"""One peer's train steps per second, measured in this (fresh) process, printed as JSON.

    python -m benchmarks.peer FRAMEWORK NETWORK SETTING BATCH_SIZE STEPS REPETITIONS

FRAMEWORK is 'jax-ae' (the config's own train loop, as `--mode=bench` runs it),
'keras' (SETTING: steps_per_execution) or 'torch' (SETTING: eager, channels_last or
compile); NETWORK a notebook version (v1-v5), a conv network from the record attempts (mnist10,
cnn_fashion_wide) or a dense record's config (mnist10_dense_gelu, hinton2006_decay;
benchmarks/torch_dense_records.py). benchmarks/bench_all.py runs one of these per figure, so each peer
starts from a new process and none inherits another's imports: only the jax-ae figure
imports jax_ae, whose host memory setting (jax_ae/runtime/host_memory.py) the others run without.
"""

import json
import sys


def steps_per_second(framework: str, network: str, setting: str, batch_size: int, steps: int,
                     repetitions: int) -> dict:
  """{'steps_per_second': rate, 'detail': the jax-ae loop or the peer's setting}, and for
  jax-ae the page faults per step (jax_ae/runtime/host_memory.py says why they matter)."""
  if framework == 'jax-ae':
    from jax_ae.measure import bench  # pylint: disable=g-import-not-at-top
    from benchmarks import torch_reference  # pylint: disable=g-import-not-at-top
    config = torch_reference.network_config(network)
    trainer, _, seconds, faults = bench.time_training(config, batch_size, steps, repetitions)
    return {'steps_per_second': steps / seconds, 'detail': trainer.loop,
            'page_faults_per_step': faults}
  if framework == 'keras':
    from benchmarks import keras_reference  # pylint: disable=g-import-not-at-top
    from benchmarks import torch_dense_records  # pylint: disable=g-import-not-at-top
    if network in torch_dense_records.DENSE_RECORDS:
      rate = keras_reference.keras_dense_record_steps_per_second(
          network, batch_size, steps, repetitions, int(setting))
    else:
      rate = keras_reference.keras_steps_per_second(network, batch_size, steps, repetitions,
                                                    int(setting))
    return {'steps_per_second': rate, 'detail': f'spe={setting}'}
  assert framework == 'torch', framework
  from benchmarks import torch_dense_records  # pylint: disable=g-import-not-at-top
  if network in torch_dense_records.DENSE_RECORDS:
    rate = torch_dense_records.steps_per_second(network, batch_size, steps, repetitions, setting)
    return {'steps_per_second': rate, 'detail': setting}
  from benchmarks import torch_reference  # pylint: disable=g-import-not-at-top
  rate = torch_reference.torch_steps_per_second(network, batch_size, steps, repetitions, setting)
  return {'steps_per_second': rate, 'detail': setting}


def main(argv) -> int:
  if len(argv) != 7 or '--help' in argv:
    print(__doc__)
    return 0 if '--help' in argv else 2
  framework, network, setting, batch_size, steps, repetitions = argv[1:]
  result = steps_per_second(framework, network, setting, int(batch_size), int(steps),
                            int(repetitions))
  print(json.dumps(result))
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))
