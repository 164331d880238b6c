"""The optadvise test suite: one package; shared helpers in `tests.helpers`."""
