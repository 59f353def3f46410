"""HTML pages → articles, built on trafilatura and htmldate; see :mod:`.core`."""

from crosswire.extract.html.core import MAX_REMOVED_CHARS, extract_html

__all__ = ["MAX_REMOVED_CHARS", "extract_html"]
