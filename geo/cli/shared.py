"""What the command line's subcommands share: the one-line usage errors, the places and areas
they read, and writing an output file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.core.errors import AtlasError

EXIT_USER_ERROR = 2
MIRROR_HELP = "folder with the official ONS files (default: $CAMERA_ATLAS_GEO_MIRROR)"


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line too."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def context(mirror: str | None):
    """The areas frame and a place resolver over it (official files from ``mirror`` or the cache)."""
    from geo.names import places
    from geo.official import areas

    frame = areas.load_areas(mirror)
    return frame, places.build_resolver(frame)


def progress(line: str) -> None:
    """Progress of a download, on stderr (stdout keeps the result lines)."""
    print(f"  {line}", file=sys.stderr, flush=True)


def write_file(path: Path, data: bytes) -> None:
    """Write an output file; an unwritable path is a one-line user error."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise AtlasError(
            f"cannot write {path} ({exc.strerror or type(exc).__name__}): check the path and permissions"
        ) from None
