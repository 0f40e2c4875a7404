"""The process: its settings, signals, several processes, and what it uses of the machine."""
