"""crosswire: who claims what, how many, when and where, and where the sources disagree.

Pipeline, one subpackage per stage: ingest → extract → read → connect → store → serve.
"""

from crosswire.records import Article, Document, Duplicate, Failure, Paragraph, Removed

__version__ = "0.1.0"
__all__ = ["Article", "Document", "Duplicate", "Failure", "Paragraph", "Removed", "__version__"]
