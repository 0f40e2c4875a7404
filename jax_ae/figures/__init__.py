"""Pictures: which ones a run draws, drawn with matplotlib as PNG bytes, and exact PCA."""
