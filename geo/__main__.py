"""``python -m geo``: the command line lives in :mod:`geo.cli.main`."""

from geo.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
