"""The command line (``python -m geo`` and ``camera-atlas``): parsing, one-line errors, exit codes.

May import: every layer. Nothing imports it but :mod:`geo.__main__`.
"""
