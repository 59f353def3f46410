"""The ``crosswire`` command line: thin wrappers over :mod:`crosswire.pipeline`, the connect
stage and the store.

Data goes to stdout (JSON Lines), progress and messages to stderr, so commands chain in a shell.
Exit status: 0 all fine, 1 some inputs failed (the rest were processed), 2 usage error.
"""

from crosswire.cli import articles, connect, export, serve, watch
from crosswire.cli.common import main

__all__ = ["articles", "connect", "export", "main", "serve", "watch"]
