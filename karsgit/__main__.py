"""``python -m karsgit``."""

from karsgit.cli import main

main()
