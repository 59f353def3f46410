"""Plain-text copies of news pages (content farms, scrapers) → articles; see :mod:`.core`."""

from crosswire.extract.plaintext.core import extract_text

__all__ = ["extract_text"]
