"""Measuring finished runs: --mode=evaluate, --mode=report and --mode=bench."""
