from optadvise.cli import main

main()
