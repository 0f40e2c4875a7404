"""The models and what they learn: Linen modules, their layers, tasks and losses."""
