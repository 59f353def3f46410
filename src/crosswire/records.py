"""Typed records passed between pipeline stages.

ingest yields :class:`Document` (raw bytes plus where they came from); extract turns one into an
:class:`Article`. Later stages (read, connect) add their own records beside these rather than
mutating them, so every stage's output can be stored and re-read independently.

All offsets are character offsets into ``Article.text``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: What a paragraph is on the page. ``label`` is a section label such as "In short:" that introduces
#: a summary block; ``lead`` is the lead image caption or standfirst directly under the title.
Role = Literal["title", "lead", "summary", "label", "heading", "caption", "body"]
ROLES: tuple[Role, ...] = ("title", "lead", "summary", "label", "heading", "caption", "body")

#: How the raw bytes should be read. ``None`` means sniff the content.
Kind = Literal["html", "text"]
"""What a document is, by its container: a page or a plain-text copy of one."""
ArticleKind = Literal["html", "text", "plain"]
"""How the article was made: ``plain`` means the input text was taken verbatim (``--plain``)."""


@dataclass(frozen=True, slots=True)
class Document:
    """A raw page as it arrived, before any parsing."""

    source: str
    """Where it was read: a file path, ``-`` for stdin, or a URL."""
    content: bytes
    url: str | None = None
    """The page's own URL when known (a fetched URL, a WARC target, a JSON Lines ``url``)."""
    kind: Kind | None = None
    """``html`` or ``text`` when the container says so; ``None`` to sniff."""
    encoding: str | None = None
    """Charset declared by the container (an HTTP header), if any."""
    record_id: str | None = None
    """The ``id`` a JSON Lines record gave itself; it becomes the article id."""
    content_hash: str = field(init=False, repr=False, compare=False)
    """sha256 of ``content``, computed once: the store's idempotency key and the article id."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "content_hash", hashlib.sha256(self.content).hexdigest())


@dataclass(slots=True)
class Paragraph:
    text: str
    role: Role
    start: int = 0
    """Offset of the paragraph in ``Article.text``."""
    end: int = 0
    line: int | None = None
    """1-based line of the input for plain-text inputs, else ``None``."""


@dataclass(slots=True)
class Removed:
    """A block dropped as page chrome, kept so nothing vanishes silently."""

    text: str
    reason: str
    line: int | None = None


@dataclass(slots=True)
class Duplicate:
    """Paragraph ``paragraph`` repeats paragraph ``same_as`` (indices into ``paragraphs``)."""

    paragraph: int
    same_as: int
    similarity: float = 1.0


@dataclass(slots=True)
class Article:
    """The clean article and its provenance: the output of the extract stage."""

    id: str
    source: str
    url: str | None = None
    original_url: str | None = None
    site: str | None = None
    original_site: str | None = None
    title: str | None = None
    byline: str | None = None
    published: str | None = None
    """ISO date or datetime; a date keeps its precision (``2024-10`` stays a month)."""
    language: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    kind: ArticleKind = "html"
    paragraphs: list[Paragraph] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    content_hash: str = ""
    """sha256 of the raw bytes; the store's idempotency key."""
    reading: Reading | None = None
    """Entities and quotes, once the read stage has run."""

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    def set_offsets(self) -> None:
        """Recompute every paragraph's ``start``/``end`` in :attr:`text`."""
        pos = 0
        for p in self.paragraphs:
            p.start, p.end = pos, pos + len(p.text)
            pos = p.end + 2

    def to_dict(self) -> dict[str, Any]:
        """The JSON Lines output contract (see docs/output.md)."""
        self.set_offsets()
        d = asdict(self)
        d["text"] = self.text
        order = [
            "id", "source", "url", "original_url", "site", "original_site", "canonical_url",
            "title", "byline", "published", "language", "description", "kind", "text",
            "paragraphs", "removed", "duplicates", "errors", "content_hash",
        ]  # fmt: skip
        return {k: d[k] for k in order}


@dataclass(slots=True)
class Failure:
    """A document that could not be turned into an article, with a reason a user can act on."""

    source: str
    error: str
    content_hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": None, "source": self.source, "errors": [self.error]}


EntityType = Literal["PERSON", "ORG", "GPE", "LOC", "NORP"]


@dataclass(slots=True)
class Mention:
    """Words in ``Article.text`` that name something: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class Entity:
    """One real person, organisation, place or group inside one article.

    ``name`` is the fullest form the article uses, with titles stripped ("Jenny Mathers", not
    "Dr Mathers"); ``aliases`` are the other forms that were merged into it (surnames, misspellings,
    capitals standing for governments, descriptions such as "Ukraine's president"). ``roles`` are
    titles and affiliations as written ("NATO chief", "from Yonsei University").
    """

    id: str
    name: str
    type: EntityType
    aliases: list[str] = field(default_factory=list)
    roles: list[Mention] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


QuoteKind = Literal["direct", "partial", "indirect"]


@dataclass(slots=True)
class Quote:
    """Something attributed to a speaker: a direct quotation, a quoted fragment inside reported
    speech (``partial``), or reported speech (``indirect``: "X said that …", "according to X").

    All offsets index ``Article.text``. ``speaker`` is an entity id when the speaker is one of the
    article's entities; ``speaker_name`` and its offsets are the words naming the speaker at this
    attribution ("she", "a spokesperson"), or ``None`` when the text names none.
    """

    kind: QuoteKind
    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_name: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None


PlaceKind = Literal["country", "region", "city"]


@dataclass(frozen=True, slots=True)
class Place:
    """A place the article names, with where it is.

    ``name`` is the article's name for it; ``country`` is its ISO 3166-1 alpha-2 code; ``entity``
    is the id of the entity it geocodes and ``mentions`` that entity's mentions, whose offsets
    index the full text.
    """

    name: str
    lat: float
    lon: float
    country: str
    kind: PlaceKind
    entity: str | None = None
    mentions: tuple[Mention, ...] = ()


Grain = Literal["day", "week", "month", "quarter", "year", "decade", "duration"]


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A time expression and its value: ``value`` is an ISO date, week (``2024-W42``), month,
    year or duration (``P2.5Y``); ``interval`` the first and last day it covers, when a span."""

    text: str
    start: int
    end: int
    value: str | None
    grain: Grain | None
    interval: tuple[str, str] | None = None


@dataclass(slots=True)
class Claim:
    """A number someone puts forward, with what it counts and who says so.

    ``value`` is the number (``None`` for a range or a vague amount, which set ``low``/``high``);
    ``change`` follows NewsQuant: ``=`` exact, ``~`` hedged, ``>``/``<`` a bound, ``up``/``down``.
    ``unit`` is the normalised unit ("km", "%", "USD") or, for a plain count, the counted noun.
    ``measure`` is the thing measured as written, ``measure_key`` the same in lowercase lemmas,
    head noun first, for lining claims up; ``aspect`` the predicate as written ("had already
    been sent") and ``status`` what it says of the number: ``done``, ``expected``, ``planned``
    or ``None``.
    ``claimant`` is the entity id of whoever is quoted saying it (``claimant_name`` their words),
    both ``None`` in the article's own voice; ``time`` the value of a time expression in the
    same sentence. Offsets index ``Article.text``.
    """

    value: float | None
    low: float | None
    high: float | None
    vague: str | None
    approx: str | None
    change: str
    unit: str | None
    measure: str | None
    measure_key: str | None
    aspect: str | None
    status: str | None
    claimant: str | None
    claimant_name: str | None
    time: str | None
    text: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    sentence_end: int


@dataclass(slots=True)
class Reading:
    """What the read stage found in one article."""

    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    times: list[TimeExpression] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def article_id(content_hash: str) -> str:
    """Stable article id: the first 16 hex digits of the raw content's sha256."""
    return content_hash[:16]


@dataclass(slots=True)
class StorySummary:
    """A stored story as lists show it (see ``crosswire.connect.stories.Story`` for how it is
    made): counts are over its articles; ``copies`` is how many of them copy another article."""

    id: str
    title: str
    first: str | None
    last: str | None
    articles: int
    sources: list[str]
    entities: list[str]
    copies: int
    disagreements: int
    updated_at: str = ""


StoryEventKind = Literal["start", "join", "move", "split", "merge"]


@dataclass(frozen=True, slots=True)
class StoryEvent:
    """One change to the stories: an article ``start``\\s a story or ``join``\\s one; regrouping
    ``move``\\s articles from ``other`` to ``story``, ``split``\\s ``story`` off ``other``, or
    ``merge``\\s ``other`` into ``story``. ``articles`` is how many articles changed story."""

    kind: StoryEventKind
    story: str
    other: str | None = None
    article: str | None = None
    articles: int = 1
    at: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """A page URL listed by a feed or a sitemap, with what the listing says about it."""

    url: str
    published: str | None = None
    """ISO date or datetime the listing gives, if any."""
    title: str | None = None
    language: str | None = None
    """ISO 639 code the listing gives (news sitemaps do), if any."""
