"""The config: every field declared once, its checks, and config files loaded."""
