"""Training: the state, the step, the loop over the device mesh, held-out evaluation, epoch ends."""
