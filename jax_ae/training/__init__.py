"""Training: the state, the step, the loop, held-out evaluation and epoch-end actions."""
