"""Read stage: entities with aliases and roles, quotations and reported speech with speakers.

Every offset a reading reports indexes the text it was given (``Article.text`` for an article),
so each fact can be traced to its words.

Steps, in order (each a small module):

1. :mod:`~crosswire.read.nlp` parses paragraph by paragraph with the pinned spaCy model.
2. :mod:`~crosswire.read.entities` finds people, organisations, places and groups, fixes what
   the small model gets wrong on news, and merges every name of one real thing into one entity
   with its roles.
3. :mod:`~crosswire.read.attribution` tags source, cue and content spans (a CRF trained on
   PolNeAR; the model ships in the package).
4. :mod:`~crosswire.read.quotes` adds quote-mark evidence, decides direct/partial/indirect and
   ties each speaker to an entity (names, pronouns, descriptions, continuation paragraphs).
5. :mod:`~crosswire.read.times` normalises time expressions against the publication date.
6. :mod:`~crosswire.read.places` geocodes places offline (a GeoNames-derived gazetteer).
7. :mod:`~crosswire.read.quantities` finds numbers with units and hedges, and
   :mod:`~crosswire.read.claims` turns them into claims: measure, aspect, claimant, time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from crosswire.records import Article, Reading

if TYPE_CHECKING:
    from crosswire.read.nlp import Block

__all__ = ["read", "read_article", "read_blocks"]


def read_blocks(text: str, blocks: Sequence[Block], published: str | None = None) -> Reading:
    """The reading of ``text`` from its parsed paragraphs; ``published`` (an ISO date) anchors
    relative time expressions ("last week")."""
    # Imported here so that `import crosswire.read.nlp` (and the CLI) stay light.
    from crosswire.read.attribution import attribute
    from crosswire.read.claims import find_claims
    from crosswire.read.entities import find_entities
    from crosswire.read.places import find_places
    from crosswire.read.quantities import find_quantities
    from crosswire.read.quotes import find_quotes
    from crosswire.read.times import find_times

    entities = find_entities(blocks)
    quotes = find_quotes(text, blocks, entities, attribute(blocks))
    times = find_times(blocks, published)
    return Reading(
        entities=entities,
        quotes=quotes,
        times=times,
        places=find_places(blocks, entities),
        claims=find_claims(blocks, find_quantities(blocks), quotes, times),
    )


def read(
    text: str,
    paragraphs: Sequence[tuple[int, int]] | None = None,
    published: str | None = None,
) -> Reading:
    """The reading of a clean text; ``paragraphs`` default to its non-blank lines.

    Offsets index ``text`` unchanged.
    """
    from crosswire.read.nlp import parse

    return read_blocks(text, parse(text, paragraphs), published)


MAX_READ_CHARS = 200_000
"""Characters of an article the read stage covers (about 35,000 words, some 10 s on one core).

News articles are far shorter; a longer text is a book, a log or an attack, and reading all of
it would run past the per-document time limit and lose the extracted article with it."""


def read_article(article: Article, *, max_chars: int = MAX_READ_CHARS) -> Reading:
    """The reading of an extracted article; offsets index ``article.text``.

    A ``plain`` article (text taken verbatim) is cut into paragraphs at its line breaks. A
    paragraph that repeats an earlier one (``article.duplicates``) is skipped, so its quotes
    and claims count once. Paragraphs past the first ``max_chars`` characters are not read, and
    ``article.errors`` says so.
    """
    from crosswire.read.nlp import plain_paragraphs

    text = article.text
    if article.kind == "plain":
        spans = plain_paragraphs(text)
    else:
        article.set_offsets()
        repeated = {d.paragraph for d in article.duplicates}
        spans = [(p.start, p.end) for i, p in enumerate(article.paragraphs) if i not in repeated]
    kept = [(s, e) for s, e in spans if e <= max_chars]
    if len(kept) < len(spans):
        article.errors.append(
            f"read stage: only the first {max_chars:,} of {len(text):,} characters were read "
            f"({len(spans) - len(kept):,} paragraphs left unread)"
        )
    return read(text, kept, article.published)
