"""jax-ae: small autoencoders on MNIST-like data in JAX and Flax."""

from jax_ae.runtime import host_memory
from jax_ae.runtime import xla_cpu

# Before anything starts JAX's CPU threads or its backend (each module says why).
host_memory.keep_freed_memory()
xla_cpu.prefer_xla_convolutions()
