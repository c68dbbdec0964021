"""`python -m app.cli`: the same entry point as the `mentor` console script."""

from app.cli import main

main()
