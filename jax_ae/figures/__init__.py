"""Pictures drawn with matplotlib as PNG bytes, and exact PCA, the linear baseline."""
