"""`python -m issuepress` runs the command line."""
from .cli import main

main()
