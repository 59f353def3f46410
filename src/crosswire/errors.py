"""Exceptions raised by crosswire.

    CrosswireError                  base of everything crosswire raises on purpose
    ├── DocumentError               one document cannot be processed; the run goes on
    │   ├── EmptyDocumentError      no bytes, or only whitespace
    │   ├── BinaryContentError      an image, archive, executable or other non-text payload
    │   ├── DocumentTooLargeError   over the size limit (``--max-bytes``)
    │   ├── DocumentTimeoutError    over the per-document time limit (``--timeout``)
    │   └── ExtractionError         the extractor crashed or ran out of memory on this document
    ├── SourceError                 an input path or stream cannot be read at all
    └── StoreError                  the database is unusable (wrong schema version, corrupt file)

The CLI turns these into per-document error records or one clear message; library callers catch
:class:`DocumentError` to skip a document and keep going.
"""

from __future__ import annotations


class CrosswireError(Exception):
    """Base class for crosswire's own errors."""


class DocumentError(CrosswireError):
    """A single document failed; the message says why in words a user can act on."""


class EmptyDocumentError(DocumentError):
    pass


class BinaryContentError(DocumentError):
    pass


class DocumentTooLargeError(DocumentError):
    pass


class DocumentTimeoutError(DocumentError):
    pass


class ExtractionError(DocumentError):
    pass


class SourceError(CrosswireError):
    pass


class StoreError(CrosswireError):
    pass
