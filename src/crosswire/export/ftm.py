"""The store as FollowTheMoney entities, for Aleph and the ``ftm`` tools.

The mapping (docs/output.md, "Exports", has it in full):

* an article is an ``Article`` (FtM's Document for a piece of media): title, author, date,
  language, body text, URL, publisher;
* a corpus entity is a ``Person`` (PERSON), ``Organization`` (ORG), ``LegalEntity`` (GPE, the
  country or city acting as a party, NORP) or ``Address`` (LOC, a region or natural place);
* an article naming an entity gives a ``Mention`` (the names the article uses, resolved to the
  corpus entity: what Aleph's own name extraction makes) and a ``Documentation`` (the
  article→entity edge Aleph draws, with the roles the article gives and where it names it);
* a quote and a numeric claim are each a ``Note`` on the speaker or claimant, its ``proof`` the
  article, with the words and their character offsets;
* a story is an ``Event``: its dates, its articles as ``proof``, the entities most of its
  articles share as ``involved``;
* a copy of another article is an ``UnknownLink`` (role "copy of") between the two articles.

Ids are stable and namespaced: ``crosswire-<kind>-<crosswire id>`` (article and corpus ids are
already stable across runs), so re-importing an export updates entities rather than doubling
them. Every entity is built through the FtM model, which cleans each value to its property's
type, and checked against its schema before it is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from crosswire.errors import CrosswireError
from crosswire.export import FTM_TABLES
from crosswire.export.tables import (
    TABLES,
    Occurrence,
    count,
    count_occurrences,
    occurrences,
    records,
    story_entities,
)
from crosswire.export.writers import Tick, replacing
from crosswire.store.db import Database

PREFIX = "crosswire"

#: crosswire entity type → FtM schema.
SCHEMA_OF = {
    "PERSON": "Person",
    "ORG": "Organization",
    "GPE": "LegalEntity",
    "NORP": "LegalEntity",
    "LOC": "Address",
}

_ID_PART = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$")
#: A Documentation lists at most this many spans in words; the mentions table has them all.
_SPANS_SHOWN = 20


class ExportError(CrosswireError):
    """An entity that FtM rejects: a bug in the mapping, never a property of the data."""


def ftm_id(kind: str, *parts: str) -> str:
    """``crosswire-<kind>-<parts>``; a part FtM ids cannot hold (JSON Lines record ids may hold
    anything) is replaced by its hash."""
    safe = [
        p if _ID_PART.match(p) and len(p) <= 64 else hashlib.sha1(p.encode()).hexdigest()[:24]  # noqa: S324 - an id, not security
        for p in parts
    ]
    return "-".join((PREFIX, kind, *safe))


#: The crosswire types whose schema may be a Mention's ``resolved`` or an Event's ``involved``
#: (both ranged to LegalEntity in the FtM model).
_PARTIES = frozenset(t for t, s in SCHEMA_OF.items() if model[s].is_a("LegalEntity"))


def _is_legal_entity(crosswire_type: str | None) -> bool:
    return crosswire_type in _PARTIES


def _make(schema: str, entity_id: str) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    return proxy


def _check(proxy: EntityProxy) -> EntityProxy:
    missing = [p for p in proxy.schema.required if not proxy.has(p)]
    if missing:
        raise ExportError(f"{proxy.schema.name} {proxy.id} lacks {', '.join(missing)}")
    try:
        proxy.schema.validate({"properties": proxy.properties})
    except InvalidData as exc:
        raise ExportError(f"{proxy.schema.name} {proxy.id}: {exc}") from exc
    return proxy


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def _span(start: int | None, end: int | None) -> str:
    return f"characters {start}–{end}"


# -- one builder per table ------------------------------------------------------------------


def _articles(db: Database) -> Iterator[EntityProxy]:
    for r in records(db, TABLES["articles"]):
        a = _make("Article", ftm_id("article", r["id"]))
        a.add("title", r["title"])
        source = r["source"] or ""
        a.add("fileName", re.split(r"[\\/]", source)[-1] or f"{r['id']}.txt")
        a.add("author", r["byline"])
        a.add("publishedAt", r["published"])
        a.add("language", r["language"])
        a.add("bodyText", r["text"])
        a.add("sourceUrl", r["url"] or r["original_url"])
        a.add("publisher", r["original_site"] or r["site"])
        a.add("summary", r["description"])
        a.add("mimeType", "text/html" if r["kind"] == "html" else "text/plain")
        # No contentHash: in FtM it is the SHA-1 of a file in Aleph's archive, which Aleph would
        # try to fetch; the article's sha256 is in the articles table.
        a.add("processingAgent", f"crosswire {r['crosswire_version']}")
        a.add("processedAt", r["extracted_at"])
        yield a
        if r["copy_of"]:
            link = _make("UnknownLink", ftm_id("copy", r["id"]))
            link.add("subject", a.id)
            link.add("object", ftm_id("article", r["copy_of"]))
            link.add("role", "copy of")
            link.add("proof", a.id)
            yield link


def _entities(db: Database) -> Iterator[EntityProxy]:
    for r in records(db, TABLES["entities"]):
        schema = SCHEMA_OF.get(r["type"], "LegalEntity")
        e = _make(schema, ftm_id("entity", r["id"]))
        e.add("name", r["name"])
        e.add("alias", r["aliases"])
        e.add("country", r["country"])
        if schema == "Person":
            e.add("position", r["roles"])
        else:
            e.add("keywords", r["roles"])
        if schema == "Address":
            e.add("full", r["name"])
            if r["lat"] is not None:
                e.add("latitude", str(r["lat"]))
                e.add("longitude", str(r["lon"]))
        kind = {"GPE": "a country, state or city", "NORP": "a nationality or group"}
        what = kind.get(r["type"], "")
        e.add(
            "summary",
            f"Named in {_count(r['articles'], 'article')} ({_count(r['mentions'], 'time')})"
            + (f"; {what}" if what else "")
            + ". Linked across articles by crosswire.",
        )
        yield e


def _mentions(db: Database) -> Iterator[EntityProxy]:
    for o in occurrences(db):
        yield _mention(o)
        if o.corpus_id is not None:
            yield _documentation(o)


def _mention(o: Occurrence) -> EntityProxy:
    m = _make("Mention", ftm_id("mention", o.article_id, o.entity_id))
    m.add("document", ftm_id("article", o.article_id))
    m.add("name", [o.name, *dict.fromkeys(t for _, _, t in o.mentions)])
    m.add("detectedSchema", SCHEMA_OF.get(o.type, "LegalEntity"))
    if o.corpus_id is not None and _is_legal_entity(o.corpus_type):
        m.add("resolved", ftm_id("entity", o.corpus_id))
    return m


def _documentation(o: Occurrence) -> EntityProxy:
    assert o.corpus_id is not None
    d = _make("Documentation", ftm_id("documentation", o.article_id, o.entity_id))
    d.add("document", ftm_id("article", o.article_id))
    d.add("entity", ftm_id("entity", o.corpus_id))
    d.add("role", [t for _, _, t in o.roles])
    d.add("date", o.published)
    d.add("recordId", f"{o.article_id}/{o.entity_id}")
    shown = "; ".join(f"“{t}” at {s}–{e}" for s, e, t in o.mentions[:_SPANS_SHOWN])
    more = len(o.mentions) - _SPANS_SHOWN
    d.add(
        "description",
        f"Named {len(o.mentions)} times as {o.type} (character offsets in the article's text): "
        + shown
        + (f"; and {more} more" if more > 0 else ""),
    )
    return d


def _quotes(db: Database) -> Iterator[EntityProxy]:
    for r in records(db, TABLES["quotes"]):
        n = _make("Note", ftm_id("quote", r["article_id"], str(r["idx"])))
        who = r["speaker_entity_name"] or r["speaker_name"]
        n.add("name", f"{r['kind']} quote" + (f" by {who}" if who else ""))
        n.add("description", r["text"])
        n.add("keywords", ["quote", r["kind"]])
        if r["speaker_corpus_id"]:
            n.add("entity", ftm_id("entity", r["speaker_corpus_id"]))
        n.add("proof", ftm_id("article", r["article_id"]))
        parts = [f"The words: {_span(r['start'], r['end'])} of article {r['article_id']}."]
        if r["speaker_name"]:
            parts.append(
                f"Speaker “{r['speaker_name']}”: {_span(r['speaker_start'], r['speaker_end'])}."
            )
        if r["cue"]:
            parts.append(f"Cue “{r['cue']}”: {_span(r['cue_start'], r['cue_end'])}.")
        n.add("summary", " ".join(parts))
        yield n


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _claims(db: Database) -> Iterator[EntityProxy]:
    for r in records(db, TABLES["claims"]):
        n = _make("Note", ftm_id("claim", r["article_id"], str(r["idx"])))
        who = r["claimant_entity_name"] or r["claimant_name"]
        what = r["text"]
        if r["measure"] and r["measure"].casefold() not in what.casefold():
            what += f" {r['measure']}"
        n.add("name", what + (f" ({who})" if who else ""))
        n.add("description", r["sentence"])
        n.add("keywords", ["claim", r["measure_key"], r["status"]])
        if r["claimant_corpus_id"]:
            n.add("entity", ftm_id("entity", r["claimant_corpus_id"]))
        n.add("proof", ftm_id("article", r["article_id"]))
        amount = (
            _number(r["value"])
            if r["value"] is not None
            else f"{_number(r['low'])} to {_number(r['high'])}"
        )
        facts = {
            "value": amount,
            "change": r["change"],
            "hedge": r["approx"] or r["vague"],
            "unit": r["unit"],
            "measure": r["measure"],
            "aspect": r["aspect"],
            "status": r["status"],
            "time": r["time"],
            "claimant": who or "the article",
        }
        n.add(
            "summary",
            "; ".join(f"{k}: {v}" for k, v in facts.items() if v)
            + f". The number: {_span(r['start'], r['end'])}, its sentence: "
            + f"{_span(r['sentence_start'], r['sentence_end'])} of article {r['article_id']}.",
        )
        yield n


def _stories(db: Database) -> Iterator[EntityProxy]:
    for r in records(db, TABLES["stories"]):
        ev = _make("Event", ftm_id("story", r["id"]))
        ev.add("name", r["title"] or r["id"])
        ev.add("startDate", r["first"])
        ev.add("endDate", r["last"])
        ev.add("publisher", r["sources"])
        ev.add("keywords", r["entities"])
        ev.add("proof", [ftm_id("article", a) for a in r["article_ids"]])
        involved = story_entities(db, r["id"], r["entities"])
        ev.add("involved", [ftm_id("entity", cid) for cid, t in involved if _is_legal_entity(t)])
        ev.add(
            "summary",
            f"A story of {_count(r['articles'], 'article')} ({_count(r['copies'], 'copy')}) "
            f"from {', '.join(r['sources']) or 'unknown sources'}; its claims disagree "
            f"{_count(r['disagreements'], 'time')}. crosswire story {r['id']}.",
        )
        ev.add("recordId", r["id"])
        yield ev


_BUILDERS: dict[str, Callable[[Database], Iterator[EntityProxy]]] = {
    "articles": _articles,
    "entities": _entities,
    "mentions": _mentions,
    "quotes": _quotes,
    "claims": _claims,
    "stories": _stories,
}


def ftm_rows(db: Database, tables: Sequence[str]) -> int:
    """How many rows of the store the mapping reads for ``tables`` (for a progress bar)."""
    total = 0
    for name in tables:
        if name == "mentions":
            total += count_occurrences(db)
        elif name in _BUILDERS:
            total += count(db, TABLES[name])
    return total


def entities(db: Database, tables: Sequence[str]) -> Iterator[EntityProxy]:
    """The FtM entities for ``tables`` (those of :data:`FTM_TABLES` among them), checked."""
    for name in FTM_TABLES:
        if name in tables:
            for proxy in _BUILDERS[name](db):
                yield _check(proxy)


def write_ftm(
    db: Database, tables: Sequence[str], path: Path, tick: Tick | None = None
) -> Counter[str]:
    """Write FtM JSON Lines (one ``{"id", "schema", "properties"}`` per line) to ``path``;
    return how many entities of each schema."""
    written: Counter[str] = Counter()
    with replacing(path, "t") as fh:
        for proxy in entities(db, tables):
            fh.write(json.dumps(_plain(proxy), ensure_ascii=False) + "\n")
            written[proxy.schema.name] += 1
            # Links ride along with the row that makes them; only count the rows.
            if tick is not None and proxy.schema.name not in {"UnknownLink", "Documentation"}:
                tick(1)
    return written


def _plain(proxy: EntityProxy) -> dict[str, Any]:
    return {"id": proxy.id, "schema": proxy.schema.name, "properties": proxy.properties}
