"""Profiling: the runner (parent side) starts the harness (child side, stdlib only) and reads its one report."""
