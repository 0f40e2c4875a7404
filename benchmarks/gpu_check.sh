#!/usr/bin/env bash
# On a machine with a GPU and JAX for it (no tfds needed: synthetic data):
#   benchmarks/gpu_check.sh OUT bench   --mode=bench of V3 and the two conv networks of the record attempts
#   benchmarks/gpu_check.sh OUT tests   the layer, model, step and PyTorch-twin tests
# with the GPU as JAX's default device; logs and bench.json under OUT (default
# runs/gpu_check). Each stage fits in one 10-minute call: on an H200 one scan-loop
# step compiled in 25-48 s (docs/performance.md), so each config gets a few minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/gpu_check}"
stage="${2:-bench}"
mkdir -p "$out"
python3 -c 'import jax; print("jax", jax.__version__, jax.devices())' 2>&1 | tee "$out/devices.log"
if [ "$stage" = bench ]; then
  for spec in v3:32,256 attempts/mnist10:64 attempts/cnn_fashion_wide:64; do
    config="${spec%%:*}"
    name="${config##*/}"
    timeout 170 python3 main.py --mode=bench --config="configs/$config.py" \
      --workdir="$out/bench_$name" --config.bench.batch_sizes="${spec#*:}" \
      --config.bench.repetitions=3 2>&1 | tee "$out/bench_$name.log" | grep -v '^[IW][0-9]'
  done
else
  timeout 400 python3 -m pytest -o addopts='-q -p no:cacheprovider' -n 2 \
    tests/test_layers.py tests/test_models.py tests/test_train.py tests/test_objective.py \
    tests/test_twin.py -rs 2>&1 | tee "$out/tests.log" | tail -40
fi
