"""``python -m chronomem``: the command line."""

from chronomem.cli import main

if __name__ == "__main__":
    main()
