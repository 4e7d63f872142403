"""The exceptions users see: each a one-line message naming the problem and the fix."""


class AtlasError(Exception):
    """A problem the user can fix; ``str(err)`` is a single line that says how."""

    def __init__(self, message: str) -> None:
        # Keep messages to one line whatever the caller passed in.
        super().__init__(" ".join(str(message).split()))


class SourceError(AtlasError):
    """Official files are missing, unreachable or do not validate."""


class DatasetError(AtlasError):
    """An observation table (shipped or uploaded) is unusable."""


class Cancelled(AtlasError):
    """Work stopped because the browser session that asked for it has gone (raised by a progress callback)."""

    def __init__(
        self, message: str = "cancelled: the browser session that started it has ended; start it again"
    ) -> None:
        super().__init__(message)
