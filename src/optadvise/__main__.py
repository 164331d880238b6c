"""`python -m optadvise`: the command line."""

from optadvise.cli import main

main()
