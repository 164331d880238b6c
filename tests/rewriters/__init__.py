"""tests/rewriters: every rewriter on real sources, its examples, and the rewritten code run for real."""
