"""What a windowed connect run holds in memory, and how its corpus entities meet the stored ones.

News coverage is local in time: an article joins a story whose dates are near its own, and a
copy follows its original within days. So a run with a window of ``w`` days only takes back the
stories whose date range comes within ``w`` days of a new article (:func:`spans`), with their
articles; every other story is frozen in the store as it is. Its memory is then bounded by the
articles of the window, not by the archive (see :func:`crosswire.connect.update.connect`).

Corpus entities cannot be cut by time (a president is named for years), so the stored corpus
entities take part as they are: each is put into the entity index as one observation under its
stored id, name and other forms (:class:`Relinker`), ahead of the window's articles. A window
entity that links to one of them takes its id; one that links to two merges them (the older id
wins, and the frozen links to the other follow); one that links to none gets a new id above the
stored ones. This costs one observation per stored entity, which grows with the names in the
archive, not with its articles.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from crosswire.connect.entities import CorpusEntity, CorpusRole, EntityIndex
from crosswire.records import Entity, EntityType
from crosswire.store.windowed import StoredEntity

__all__ = ["Relinked", "Relinker", "day_of", "spans"]

#: The article id the stored entities are indexed under; no stored article has it (ids are hex).
STORED = "\x00stored"


def day_of(published: str | None, stored_at: str) -> date:
    """The day an article counts as for the window: its publication day, else the day it was
    stored (an undated article can only be placed by when it came)."""
    for value in (published, stored_at):
        if value:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return date.today()


def spans(days: Iterable[date], window: int) -> list[tuple[str, str]]:
    """The ranges of days (ISO, both ends included) within ``window`` days of one of ``days``,
    merged: a story meeting one of them is open."""
    out: list[list[date]] = []
    for d in sorted(set(days)):
        lo, hi = d - timedelta(days=window), d + timedelta(days=window)
        if out and lo <= out[-1][1] + timedelta(days=1):
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo.isoformat(), hi.isoformat()) for lo, hi in out]


@dataclass(slots=True)
class Relinked:
    """The window's entity links and the corpus entities to write (:meth:`Relinker.finish`)."""

    links: dict[str, dict[str, str]] = field(default_factory=dict)
    """Article id → its entity id → corpus id, for every article of the window."""
    entities: list[CorpusEntity] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)
    """Stored corpus id → the stored id it merged into."""


def _number(corpus_id: str) -> int:
    return int(corpus_id[1:]) if corpus_id[1:].isdigit() else 0


class Relinker:
    """Links the entities of the window's articles with each other and with the ``stored``
    corpus entities (``top``: the highest stored corpus id number).

    :meth:`add` each article of the window in arrival order, then :meth:`finish`.
    """

    def __init__(self, stored: Iterable[StoredEntity], top: int) -> None:
        self._index = EntityIndex()
        seeds = [Entity(s.id, s.name, cast(EntityType, s.type), list(s.aliases)) for s in stored]
        self._index.add(STORED, seeds)
        self._seed_ids = [s.id for s in seeds]
        self._top = top
        self._articles: list[str] = []
        self._mentions: dict[tuple[str, str], int] = {}

    def add(self, article_id: str, entities: Sequence[Entity]) -> None:
        self._index.add(article_id, entities)
        self._articles.append(article_id)
        for e in entities:
            self._mentions[article_id, e.id] = len(e.mentions)

    def finish(
        self,
        old_links: Iterable[tuple[str, str, str]],
        rows: Callable[[Collection[str]], dict[str, tuple[CorpusEntity, int]]],
    ) -> Relinked:
        """The window's links and the corpus entities to write.

        ``old_links`` are the stored links of the window's articles (they are taken back and
        replaced), ``rows`` reads stored corpus entities whole, with how many articles name
        them. The entities given back are the
        window's, under stored ids where they link to a stored one, and the stored ones that
        lost articles to the window (what is left of them: their frozen articles' mentions and
        roles).
        """
        index = self._index
        seeds_of: dict[str, list[str]] = defaultdict(list)
        for sid in self._seed_ids:
            cid = index.lookup(STORED, sid)
            if cid is not None:
                seeds_of[cid].append(sid)
        out = Relinked()
        final: dict[str, str] = {}
        clusters: list[tuple[CorpusEntity, list[str]]] = []
        for c in index.entities():
            c.articles = [a for a in c.articles if a != STORED]
            if not c.articles:
                continue  # only stored entities: not the window's to change
            sids = sorted(seeds_of.get(c.id, []), key=_number)
            final[c.id] = sids[0] if sids else f"c{self._top + _number(c.id)}"
            if sids:
                out.merged.update(dict.fromkeys(sids[1:], sids[0]))
            clusters.append((c, sids))
        for article_id in self._articles:
            out.links[article_id] = {
                lid: final[cid] for lid, cid in index.links(article_id).items()
            }

        # What the window's articles gave the stored entities before this run is taken back
        # from them; what is left is what their frozen articles give.
        in_window = set(self._articles)
        lost_articles: dict[str, set[str]] = defaultdict(set)
        lost_mentions: Counter[str] = Counter()
        for article_id, entity_id, corpus_id in old_links:
            lost_articles[corpus_id].add(article_id)
            lost_mentions[corpus_id] += self._mentions.get((article_id, entity_id), 0)
        stored_rows = rows({*lost_articles, *(s for _, sids in clusters for s in sids)})

        def left(sid: str) -> tuple[int, int, list[CorpusRole]]:
            row, articles = stored_rows[sid]
            roles = [
                CorpusRole(r.text, kept)
                for r in row.roles
                if (kept := tuple(a for a in r.articles if a not in in_window))
            ]
            return (
                articles - len(lost_articles.get(sid, ())),
                max(row.mentions - lost_mentions[sid], 0),
                roles,
            )

        done: set[str] = set()
        for c, sids in clusters:
            frozen = [(s, *left(s)) for s in sids if s in stored_rows]
            keep = stored_rows[sids[0]][0] if sids and frozen and frozen[0][1] > 0 else None
            name = keep.name if keep is not None else c.name
            forms = [c.name, *c.aliases]
            for s in sids:
                if s in stored_rows:
                    forms += [stored_rows[s][0].name, *stored_rows[s][0].aliases]
            out.entities.append(
                CorpusEntity(
                    id=final[c.id],
                    name=name,
                    type=keep.type if keep is not None else c.type,
                    aliases=[f for f in dict.fromkeys(forms) if f != name],
                    roles=_merge_roles([r for f in frozen for r in f[3]] + c.roles),
                    articles=c.articles,
                    mentions=c.mentions + sum(f[2] for f in frozen),
                )
            )
            done.update(sids)
        for sid in sorted(set(lost_articles) - done, key=_number):
            if sid not in stored_rows:
                continue
            row = stored_rows[sid][0]
            _, m, roles = left(sid)
            # Written with what its frozen articles give; with none left, it is removed.
            out.entities.append(CorpusEntity(sid, row.name, row.type, row.aliases, roles, [], m))
        return out


def _merge_roles(roles: Iterable[CorpusRole]) -> list[CorpusRole]:
    merged: dict[str, dict[str, None]] = {}
    for r in roles:
        merged.setdefault(r.text, {}).update(dict.fromkeys(r.articles))
    return [CorpusRole(text, tuple(where)) for text, where in merged.items()]
