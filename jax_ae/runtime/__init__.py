"""The process: its settings for training, signals, processes and the device mesh."""
