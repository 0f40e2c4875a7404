"""jax-ae: small autoencoders on MNIST-like data in JAX and Flax.

Importing it changes nothing in the process; a training program applies the settings
it wants with `jax_ae.runtime.settings.configure_process()` (main.py does, first thing).
"""
