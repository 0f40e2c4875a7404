"""Record attempts that did not reach their target, and their frozen classifiers: docs/records.md."""
