"""`python -m optadvise`: the command line."""

from optadvise.cli import run

run()
