"""Numeric claims lined up by what they measure, and disagreements between claimants flagged.

Claims (:class:`crosswire.records.Claim`) from one article or from every article of a story are
grouped by their **measure**: the head noun of the counted phrase, mapped through a small table of
words that count the same thing ("soldiers", "troops", "personnel"), and the unit. Inside a group:

- claims with the same **status** (``done``: "had already been sent", "were already in Russia";
  ``expected``; ``planned``) are comparable; different statuses are shown side by side, never
  flagged (11,000 already sent and 12,000 expected in total do not contradict each other);
- two comparable claims must also share a content word of their aspect or measure ("already",
  "north korean"): the same noun alone ("year") does not make two numbers comparable;
- two comparable claims from **different claimants** **disagree** when their values, widened by
  their hedges ("some", "about": ±15 %; "at least": open above; exact: ±1 %), do not overlap;
- vague amounts ("thousands") are listed but never flagged: they are too loose to contradict.

Copies of one article must be collapsed before lining up (:mod:`crosswire.connect.copies`), so a
copy never counts as a second source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from crosswire.read.units import unit_name
from crosswire.records import Claim

_SAME_COUNT = {
    "troop": "troops", "soldier": "troops", "personnel": "troops", "fighter": "troops",
    "serviceman": "troops", "servicemen": "troops", "force": "troops", "recruit": "troops",
    "casualty": "casualties", "death": "casualties", "dead": "casualties",
    "fatality": "casualties", "victim": "casualties",
    "people": "people", "person": "people", "resident": "people", "civilian": "civilians",
    "refugee": "refugees", "migrant": "migrants",
}  # fmt: skip
_SHORT = 3
_GRAMMAR = frozenset("have been were will would could should also than that with from this".split())
_HEDGED = 0.15
_EXACT = 0.01


@dataclass(frozen=True, slots=True)
class SourcedClaim:
    """A claim and the article it was read from."""

    article: str
    claim: Claim
    outlet: str | None = None
    """The site that published the article: the claimant of a number in the article's own
    voice, so that two outlets' figures can disagree."""
    claimant: str | None = None
    """The claimant's corpus entity id (:mod:`crosswire.connect.entities`), when known: the
    same speaker in two articles is one claimant, and never disagrees with itself."""


@dataclass(slots=True)
class Disagreement:
    """Two comparable claims from different claimants whose hedged values do not overlap."""

    a: SourcedClaim
    b: SourcedClaim
    why: str


@dataclass(slots=True)
class Measure:
    """Claims about one measured thing, with the disagreements among them."""

    key: str
    label: str
    claims: list[SourcedClaim] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)


def measure_key(claim: Claim) -> str | None:
    """What a claim counts, for grouping: the counted thing's class and the unit."""
    words = (claim.measure_key or "").split()
    if not words:
        return None
    head = words[0]
    thing = _SAME_COUNT.get(head, head)
    # A unit of measure ("km", "USD") splits groups; a counted noun is the thing itself.
    unit = claim.unit if unit_name(claim.unit) not in (None, claim.unit) else None
    return f"{thing}|{unit}" if unit else thing


def bounds(claim: Claim) -> tuple[float, float] | None:
    """The values a claim allows, its hedge included; ``None`` for a vague amount."""
    if claim.vague is not None or claim.low is None or claim.high is None:
        return None
    low, high = claim.low, claim.high
    if claim.change == ">":
        return low, float("inf")
    if claim.change == "<":
        return 0.0, high
    slack = _HEDGED if claim.change == "~" or claim.approx else _EXACT
    return low * (1 - slack), high * (1 + slack)


def _who(c: SourcedClaim) -> str | None:
    if c.claimant:
        return c.claimant
    if c.claim.claimant:
        # An entity id is the article's own: "e3" in two articles are two different entities.
        return f"{c.article}#{c.claim.claimant}"
    return c.claim.claimant_name or c.outlet


def _anchors(claim: Claim) -> set[str]:
    """Content words of a claim's aspect and of its measure besides the head noun: two claims
    are about the same thing only if they share one."""
    key = (claim.measure_key or "").split()
    head = key[0] if key else ""
    counted = {head, head + "s", head + "es", *(claim.measure or "").lower().split()}
    words = [w for w in (claim.aspect or "").lower().split() if w not in counted] + key[1:]
    return {w for w in words if w.isalpha() and len(w) > _SHORT and w not in _GRAMMAR}


def _named(c: SourcedClaim) -> str:
    return c.claim.claimant_name or c.claim.claimant or c.outlet or "?"


def line_up(claims: Iterable[SourcedClaim]) -> list[Measure]:
    """Claims grouped by measure (groups of two or more), each with its disagreements."""
    groups: dict[str, list[SourcedClaim]] = {}
    for c in claims:
        key = measure_key(c.claim)
        if key is not None:
            groups.setdefault(key, []).append(c)
    measures = []
    for key, members in groups.items():
        if len(members) < 2:  # a lone claim lines up with nothing
            continue
        labels = [m.claim.measure or key for m in members]
        measure = Measure(key=key, label=max(set(labels), key=labels.count), claims=members)
        measure.disagreements = _disagreements(members)
        measures.append(measure)
    return measures


def _disagreements(members: Sequence[SourcedClaim]) -> list[Disagreement]:
    found = []
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            if _who(a) == _who(b) or _who(a) is None or _who(b) is None:
                continue
            if a.claim.status is None or a.claim.status != b.claim.status:
                continue
            if not _anchors(a.claim) & _anchors(b.claim):
                continue  # the noun alone: "a 10-year contract" vs "a 15-year career"
            ra, rb = bounds(a.claim), bounds(b.claim)
            if ra is None or rb is None or (ra[0] <= rb[1] and rb[0] <= ra[1]):
                continue
            why = (
                f"{_named(a)}: {a.claim.text} ({a.claim.aspect}) vs "
                f"{_named(b)}: {b.claim.text} ({b.claim.aspect})"
            )
            found.append(Disagreement(a, b, why))
    return found
