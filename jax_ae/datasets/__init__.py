"""The data: tfds in, numpy arrays out, and the on-device augmentation."""
