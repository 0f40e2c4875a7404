"""A run's workdir: console and log, lock, files, events, checkpoints, resume."""
