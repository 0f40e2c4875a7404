"""jax-ae: small autoencoders on MNIST-like data in JAX and Flax."""

from jax_ae import host_memory

# Before anything starts JAX's CPU threads (host_memory.py says why).
host_memory.keep_freed_memory()
