"""Copies and syndication: exact and near-duplicate articles grouped, each traced to its original.

:class:`CopyIndex` is online. :meth:`~CopyIndex.add` takes one :class:`~crosswire.records.Article`
and tells whether it copies (or is copied by) an article already added:

1. **exact** — the same normalised text (case, quotes, spacing, mojibake and punctuation ignored):
   one hash lookup;
2. **near** — candidates from MinHash LSH over word :data:`SHINGLE`-grams of the body (shingled
   per paragraph, so reordered paragraphs keep their shingles), from paragraphs that share a
   paragraph MinHash key, and from the article it names as its source; each candidate is then
   *verified* on the exact shingle sets, so an LSH collision never merges anything. A pair is a
   copy when its Jaccard similarity reaches :data:`JACCARD`, or when one contains
   :data:`CONTAINMENT` of the other's shingles (chrome added, paragraphs dropped) and is not much
   smaller than it (:data:`MIN_SIZE_RATIO`: a quoted paragraph is a paragraph match, not a copy).

:meth:`~CopyIndex.groups` joins verified pairs into :class:`CopyGroup` s and picks each group's
original by the first rule that decides: a member naming another's URL or site as its source
(``original_url``/``original_site``, e.g. a "By: <url>" line), a canonical link to another member,
the earliest ``published`` date, the first seen. Each copy carries a reason a user can read and
the measured similarity; the group records which rule chose the original and why. Near-duplicate
paragraphs across articles come from :meth:`~CopyIndex.paragraph_matches`.

A copy is never a second source: use :meth:`~CopyIndex.original_of` to count an article's claims
under its original.

Memory grows linearly with the articles added: per article about 8 bytes per body word (its
shingle hashes, kept so that every match is verified exactly), about 100 bytes for each of the
:data:`BANDS` LSH keys and for each of the :data:`PARAGRAPH_KEYS` keys of every paragraph of
:data:`PARAGRAPH_MIN_WORDS` words or more, plus its URLs and date. ``bench/copies.py`` measures
it with tracemalloc: 19.9 KB per article for articles of 931 words and 34 paragraphs on average
(21 bytes per word; about 20 GB per million such articles, so a large archive needs the index
sharded or kept on disk). A process-wide cache of word hashes adds up to about 20 MB once.

MinHash is computed here with numpy (multiply-shift hashing of 64-bit shingle hashes, one
matrix operation per article) rather than with datasketch: no extra dependency, deterministic
across processes, per-paragraph minima from the same pass, and measured 3.3x faster than
datasketch 2.0.0's ``MinHash.update_batch`` + ``MinHashLSH`` on the same shingles.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from crosswire.records import Article

__all__ = [
    "BANDS",
    "CONTAINMENT",
    "JACCARD",
    "MIN_SIZE_RATIO",
    "SHINGLE",
    "CopyGroup",
    "CopyIndex",
    "CopyLink",
    "CopyMatch",
    "ParagraphMatch",
    "normalise_tokens",
]

U64 = npt.NDArray[np.uint64]

#: Words per shingle. Five words rarely repeat between two different articles on one story,
#: while an edit only spoils the five shingles around it.
SHINGLE = 5
NUM_PERM = 128
#: LSH bands of ``NUM_PERM // BANDS`` rows: a pair of Jaccard 0.5 becomes a candidate with
#: probability 0.88, 0.6 with 0.99; paragraph keys and named sources catch lower ones.
BANDS = 32
ROWS = NUM_PERM // BANDS
#: Verified thresholds (exact shingle sets).
JACCARD = 0.8
CONTAINMENT = 0.8
#: The smaller article must be at least this share of the larger (in shingles) to be its copy.
MIN_SIZE_RATIO = 0.25
#: When an article names the other as its source, this much containment suffices.
NAMED_CONTAINMENT = 0.5
#: Below this many shingles only an exact copy counts: a few lines say too little.
MIN_SHINGLES = 12
#: Paragraph MinHash keys (one permutation each): paragraphs of Jaccard 0.6 share one with
#: probability 0.94.
PARAGRAPH_KEYS = 3
PARAGRAPH_MIN_WORDS = 8
PARAGRAPH_SIMILARITY = 0.6
#: A key shared by more paragraphs than this is boilerplate ("Sign up for our newsletter"):
#: it stops collecting postings, which keeps the work per article bounded.
MAX_POSTINGS = 64

_rng = np.random.default_rng(0x5EED_C0B1)
# Multiply-shift hashing needs odd multipliers.
_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_POS = (
    _rng.integers(1, 2**63, size=SHINGLE, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
).reshape(SHINGLE, 1)

# Han and kana are written without spaces: each character is a token.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u9fff]+")
_MOJIBAKE = re.compile("[ÃÂâÅÐÑ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u2018-\u2122]")
_TRACKING = re.compile(r"(?:utm_\w+|fbclid|gclid|ocid|cmpid|at_\w+)=", re.I)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)

Rule = Literal["provenance", "canonical", "earliest", "first-seen"]


def normalise_tokens(text: str) -> list[str]:
    """The words of ``text`` as compared: mojibake repaired, NFKC, case-folded, punctuation gone."""
    if _MOJIBAKE.search(text):
        import ftfy

        text = ftfy.fix_text(text)
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


class _WordHashes(dict[str, int]):
    """crc32 of a word, remembered: words repeat (Zipf), so most lookups skip the hashing."""

    def __missing__(self, word: str) -> int:
        h = zlib.crc32(word.encode())
        if len(self) < 200_000:  # a bound: about 20 MB at most
            self[word] = h
        return h


_WORD_HASHES = _WordHashes()


def _mix(x: U64) -> U64:
    """splitmix64's finaliser: spreads the bits of a combined shingle hash."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _shingles(tokens: list[str]) -> U64:
    """Sorted unique 64-bit hashes of the word ``SHINGLE``-grams (one for a shorter text)."""
    flat, _ = _paragraph_shingles([tokens])
    return np.unique(flat)


def _paragraph_shingles(paragraphs: list[list[str]]) -> tuple[U64, npt.NDArray[np.int32]]:
    """Each paragraph's unique shingle hashes, concatenated, and the bounds between paragraphs.

    Shingles never cross a paragraph break, so reordered paragraphs keep all their shingles; a
    paragraph shorter than ``SHINGLE`` words is one shingle. Every paragraph must have a word.
    """
    lengths = np.array([len(t) for t in paragraphs], dtype=np.int64)
    total = int(lengths.sum())
    bounds = np.zeros(len(paragraphs) + 1, dtype=np.int32)
    if not total:
        return np.empty(0, dtype=np.uint64), bounds
    words = np.zeros(total + SHINGLE, dtype=np.uint64)
    words[:total] = np.fromiter(
        map(_WORD_HASHES.__getitem__, itertools.chain.from_iterable(paragraphs)),
        dtype=np.uint64,
        count=total,
    )
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    pid = np.repeat(np.arange(len(paragraphs)), lengths)
    # Window i is taken when it fits in its paragraph, or starts a paragraph shorter than it.
    pos = np.arange(total) - starts[pid]
    left = lengths[pid] - pos
    take = (left >= SHINGLE) | ((pos == 0) & (lengths[pid] < SHINGLE))
    # A short paragraph's window must not run into the next one: zero the words past its end.
    span = np.minimum(left, SHINGLE)
    with np.errstate(over="ignore"):
        acc = np.zeros(total, dtype=np.uint64)
        for i in range(SHINGLE):
            acc += np.where(span > i, words[i : i + total], np.uint64(0)) * _POS[i, 0]
        h = _mix(acc[take])
    p = pid[take]
    order = np.lexsort((h, p))
    h, p = h[order], p[order]
    keep = np.ones(len(h), dtype=bool)
    keep[1:] = (h[1:] != h[:-1]) | (p[1:] != p[:-1])
    h, p = h[keep], p[keep]
    bounds[1:] = np.cumsum(np.bincount(p, minlength=len(paragraphs)))
    return h, bounds


def _hashes(shingles: U64) -> npt.NDArray[np.uint32]:
    """Each shingle under the ``NUM_PERM`` hash functions: one row per shingle."""
    with np.errstate(over="ignore"):
        h: U64 = (shingles[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    return h.astype(np.uint32)


def _minhash(shingles: U64) -> npt.NDArray[np.uint32]:
    """The ``NUM_PERM`` minimum hashes of a shingle set (all ones for an empty set)."""
    if not len(shingles):
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    out: npt.NDArray[np.uint32] = _hashes(shingles).min(axis=0)
    return out


def _norm_url(url: str | None) -> str | None:
    """A URL as compared: no scheme, ``www.``, fragment, tracking parameters or trailing slash.

    The rest of the query stays: ``fullpage.html?res=…`` is a different article per ``res``.
    """
    if not url:
        return None
    u = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.I).split("#", 1)[0]
    u, _, query = u.partition("?")
    params = [q for q in query.split("&") if q and not _TRACKING.match(q)]
    host, _, path = u.rstrip("/").partition("/")
    host = host.lower().removeprefix("www.")
    if not host:
        return None
    return host + ("/" + path if path else "") + ("?" + "&".join(params) if params else "")


def _norm_site(site: str | None) -> str | None:
    return site.strip().lower().removeprefix("www.") if site else None


@dataclass(frozen=True, slots=True)
class CopyMatch:
    """What :meth:`CopyIndex.add` found: ``article`` copies ``other`` or is copied by it."""

    article: str
    other: str
    kind: Literal["exact", "near"]
    jaccard: float
    containment: float
    """Share of the smaller article's shingles found in the larger one."""
    reason: str


@dataclass(frozen=True, slots=True)
class CopyLink:
    """One copy in a :class:`CopyGroup`, compared with the group's original."""

    copy: str
    kind: Literal["exact", "near"]
    jaccard: float
    containment: float
    reason: str


@dataclass(slots=True)
class CopyGroup:
    """An original and its copies; ``rule`` says how the original was chosen, ``why`` in words."""

    original: str
    copies: list[CopyLink]
    rule: Rule
    why: str

    def explain(self) -> str:
        """The grouping decision as lines a user can read."""
        lines = [f"original {self.original}: {self.why}"]
        lines += [f"  copy {c.copy}: {c.reason}" for c in self.copies]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ParagraphMatch:
    """Paragraph ``paragraph`` of an article repeats ``other_paragraph`` of article ``other``."""

    paragraph: int
    other: str
    other_paragraph: int
    similarity: float


@dataclass(slots=True)
class _Entry:
    id: str
    seq: int
    url: str | None
    canonical: str | None
    named: tuple[str, ...]
    """Normalised URLs the article names as its source (``original_url``, URLs in the text)."""
    site: str | None
    named_site: str | None
    published: str | None
    shingles: U64
    """Per-paragraph unique shingles, concatenated; ``bounds`` delimits the paragraphs."""
    bounds: npt.NDArray[np.int32]
    paragraphs: list[int]
    """Index in ``Article.paragraphs`` of each shingled paragraph."""
    para_hashes: list[bytes]
    matches: list[ParagraphMatch] = field(default_factory=list)

    def doc_set(self) -> U64:
        return np.unique(self.shingles)

    def para_set(self, i: int) -> U64:
        return self.shingles[self.bounds[i] : self.bounds[i + 1]]


def _overlap(a: U64, b: U64) -> tuple[float, float, int]:
    """Jaccard, containment of the smaller in the larger, and the size of the intersection."""
    if not len(a) or not len(b):
        return 0.0, 0.0, 0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter), inter / min(len(a), len(b)), inter


def _day_cmp(a: str | None, b: str | None) -> int:
    """-1/1 when date ``a`` is before/after ``b`` at their shared precision, 0 when undecided."""
    if not a or not b:
        return 0
    n = min(len(a), len(b), 19)
    x, y = a[:n], b[:n]
    return (x > y) - (x < y)


class CopyIndex:
    """Exact and near-duplicate articles, found as they are added (see the module docstring)."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._by_id: dict[str, int] = {}
        self._exact: dict[bytes, int] = {}
        self._bands: list[dict[int, int | list[int]]] = [{} for _ in range(BANDS)]
        self._para_keys: dict[int, int | list[int]] = {}
        self._urls: dict[str, int] = {}
        self._canonical: dict[str, int] = {}
        self._named_by: dict[str, list[int]] = {}
        self._parent: list[int] = []
        self._edges: dict[tuple[int, int], CopyMatch] = {}

    def __len__(self) -> int:
        return len(self._entries)

    # -- adding ------------------------------------------------------------------------------

    def add(self, article: Article) -> CopyMatch | None:
        """Index ``article``; the strongest verified copy relation to an earlier article, if any."""
        if article.id in self._by_id:
            raise ValueError(f"article {article.id} was already added")
        entry, tokens_all, para_sigs, sig = self._entry(article)
        n = len(self._entries)
        matches: list[CopyMatch] = []
        text_hash = hashlib.blake2b(" ".join(tokens_all).encode(), digest_size=16).digest()
        exact = self._exact.get(text_hash) if tokens_all else None
        if exact is not None:
            other = self._entries[exact]
            matches.append(
                CopyMatch(article.id, other.id, "exact", 1.0, 1.0, f"same text as {other.id}")
            )
        else:
            matches += self._near(entry, para_sigs, sig)
        self._store(entry, text_hash if tokens_all else None, para_sigs, sig)
        for m in matches:
            j = self._by_id[m.other]
            self._edges[(min(n, j), max(n, j))] = m
            self._union(n, j)
        if not matches:
            return None
        return max(matches, key=lambda m: (m.kind == "exact", m.containment, m.jaccard))

    def _entry(
        self, article: Article
    ) -> tuple[_Entry, list[str], list[npt.NDArray[np.uint32] | None], npt.NDArray[np.uint32]]:
        """The article's index entry, its words, paragraph MinHash keys and MinHash signature."""
        token_lists: list[list[str]] = []
        para_index: list[int] = []
        para_hashes: list[bytes] = []
        tokens_all: list[str] = []
        named = {_norm_url(article.original_url)}
        for i, p in enumerate(article.paragraphs):
            for url in _URL.findall(p.text):
                named.add(_norm_url(url))
            if p.role == "title":
                continue
            tokens = normalise_tokens(p.text)
            if not tokens:
                continue
            tokens_all += tokens
            token_lists.append(tokens)
            para_index.append(i)
            para_hashes.append(hashlib.blake2b(" ".join(tokens).encode(), digest_size=8).digest())
        long = [len(t) >= PARAGRAPH_MIN_WORDS for t in token_lists]
        url = _norm_url(article.url)
        named -= {None, url}
        shingles, bounds = _paragraph_shingles(token_lists)
        entry = _Entry(
            id=article.id,
            seq=len(self._entries),
            url=url,
            canonical=_norm_url(article.canonical_url),
            named=tuple(sorted(u for u in named if u)),
            site=_norm_site(article.site),
            named_site=_norm_site(article.original_site),
            published=article.published,
            shingles=shingles,
            bounds=bounds,
            paragraphs=para_index,
            para_hashes=para_hashes,
        )
        # One hashing pass over all shingles; paragraph keys are per-paragraph minima of it.
        h = _hashes(entry.shingles)
        sig: npt.NDArray[np.uint32] = (
            h.min(axis=0) if len(h) else np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
        )
        sigs: list[npt.NDArray[np.uint32] | None] = []
        if len(h):
            mins = np.minimum.reduceat(h[:, :PARAGRAPH_KEYS], bounds[:-1], axis=0)
            sigs = [mins[i] if ok else None for i, ok in enumerate(long)]
        return entry, tokens_all, sigs, sig

    def _band_keys(self, sig: npt.NDArray[np.uint32]) -> list[int]:
        rows = sig.astype(np.uint64).reshape(BANDS, ROWS)
        acc = np.zeros(BANDS, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for r in range(ROWS):
                acc = _mix(acc * np.uint64(0x100000001B3) + rows[:, r])
        return [int(k) for k in acc]

    def _near(
        self,
        entry: _Entry,
        para_sigs: list[npt.NDArray[np.uint32] | None],
        sig: npt.NDArray[np.uint32],
    ) -> list[CopyMatch]:
        candidates: set[int] = set()
        for band, key in zip(self._bands, self._band_keys(sig), strict=True):
            _collect(band.get(key), candidates)
        para_hits: dict[int, set[int]] = {}
        for i, ps in enumerate(para_sigs):
            if ps is None:
                continue
            found: set[int] = set()
            for k in range(PARAGRAPH_KEYS):
                _collect(self._para_keys.get(_para_key(k, int(ps[k]))), found)
            para_hits[i] = found
            candidates.update(f >> 16 for f in found)
        named = {
            hit
            for u in _pointers(entry)
            if (hit := self._urls.get(u, self._canonical.get(u))) is not None
        }
        # Those that named this article before it arrived.
        for u in (entry.url, entry.canonical):
            named.update(self._named_by.get(u, ()) if u else ())
        candidates |= named

        doc = entry.doc_set()
        out: list[CopyMatch] = []
        for c in sorted(candidates):
            other = self._entries[c]
            self._paragraph_matches(entry, other, para_hits)
            jac, cont, _ = _overlap(doc, other_set := other.doc_set())
            small, large = sorted((len(doc), len(other_set)))
            if small < MIN_SHINGLES or large == 0:
                continue
            ratio = small / large
            needed = NAMED_CONTAINMENT if c in named else CONTAINMENT
            if jac >= JACCARD or (cont >= needed and ratio >= MIN_SIZE_RATIO):
                out.append(
                    CopyMatch(entry.id, other.id, "near", jac, cont, self._describe(entry, other))
                )
        return out

    def _paragraph_matches(self, entry: _Entry, other: _Entry, hits: dict[int, set[int]]) -> None:
        c = other.seq
        for i, found in hits.items():
            for f in found:
                if f >> 16 != c:
                    continue
                j = f & 0xFFFF
                jac, _, _ = _overlap(entry.para_set(i), other.para_set(j))
                if jac >= PARAGRAPH_SIMILARITY:
                    sim = round(jac, 3)
                    pi, pj = entry.paragraphs[i], other.paragraphs[j]
                    entry.matches.append(ParagraphMatch(pi, other.id, pj, sim))
                    other.matches.append(ParagraphMatch(pj, entry.id, pi, sim))

    def _store(
        self,
        entry: _Entry,
        text_hash: bytes | None,
        para_sigs: list[npt.NDArray[np.uint32] | None],
        sig: npt.NDArray[np.uint32],
    ) -> None:
        n = entry.seq
        self._entries.append(entry)
        self._by_id[entry.id] = n
        self._parent.append(n)
        if text_hash is not None:
            self._exact.setdefault(text_hash, n)
        if entry.url:
            self._urls[entry.url] = n
        for u in _pointers(entry):
            self._named_by.setdefault(u, []).append(n)
        if entry.canonical:
            self._canonical.setdefault(entry.canonical, n)
        if len(entry.shingles) < MIN_SHINGLES:
            return
        for band, key in zip(self._bands, self._band_keys(sig), strict=True):
            _post(band, key, n)
        for i, ps in enumerate(para_sigs):
            if ps is not None and i < 0xFFFF:
                for k in range(PARAGRAPH_KEYS):
                    _post(self._para_keys, _para_key(k, int(ps[k])), (n << 16) | i)

    # -- explaining ---------------------------------------------------------------------------

    def _describe(self, copy: _Entry, original: _Entry) -> str:
        """How ``copy``'s text relates to ``original``'s, in words."""
        a, b = copy.doc_set(), original.doc_set()
        if not len(a) or not len(b):
            return f"same text as {original.id}"
        jac, _, inter = _overlap(a, b)
        where = {h: i for i, h in enumerate(original.para_hashes)}
        seen = [where[h] for h in copy.para_hashes if h in where]
        reordered = any(x > y for x, y in itertools.pairwise(seen))
        if jac >= 0.999:
            words = f"same {'paragraphs' if reordered else 'text'} as {original.id}"
        else:
            words = f"{inter / len(b):.0%} of {original.id}'s shingles"
            if inter / len(a) < 0.999:
                words += f" ({inter / len(a):.0%} of its own)"
        notes: list[str] = []
        if reordered:
            notes.append("paragraphs reordered")
        dropped = len(set(where.values()) - set(seen))
        if dropped and jac < 0.999:
            notes.append(f"{dropped} of {len(original.para_hashes)} paragraphs not copied")
        added = sum(1 for h in copy.para_hashes if h not in where)
        if added and jac < 0.999:
            noun = "paragraph" if added == 1 else "paragraphs"
            notes.append(f"{added} {noun} not in {original.id} (chrome or edits)")
        if original.url and original.url in copy.named:
            notes.append(f"names {original.id}'s URL as its source")
        return words + (", " + ", ".join(notes) if notes else "")

    def _choose(self, members: list[int]) -> tuple[int, Rule, str]:
        entries = [self._entries[m] for m in members]
        urls: dict[str, _Entry] = {}
        sites: dict[str, list[_Entry]] = {}
        # An article's own URL outranks another's canonical link to it.
        for u, e in [(e.url, e) for e in entries] + [(e.canonical, e) for e in entries]:
            if u:
                urls.setdefault(u, e)
        for e in entries:
            if e.site:
                sites.setdefault(e.site, []).append(e)
        # Each member points to at most one other: the source it names, else its canonical link.
        points: dict[int, tuple[int, Rule, str]] = {}
        for e in entries:
            target = next((urls[u] for u in e.named if u in urls and urls[u] is not e), None)
            if target is not None:
                points[e.seq] = (target.seq, "provenance", f"{e.id} names its URL as its source")
                continue
            if e.canonical and e.canonical != e.url:
                target = urls.get(e.canonical)
                if target is not None and target is not e:
                    points[e.seq] = (target.seq, "canonical", f"{e.id} has a canonical link to it")
                    continue
            if e.named_site and e.named_site != e.site and len(sites.get(e.named_site, [])) == 1:
                target = sites[e.named_site][0]
                points[e.seq] = (
                    target.seq,
                    "provenance",
                    f"{e.id} names its site ({e.named_site}) as its source",
                )
        roots: list[_Entry] = []
        reached: dict[int, tuple[Rule, str]] = {}
        for e in entries:
            cur, path = e.seq, [e.seq]
            while cur in points and points[cur][0] not in path:
                nxt, rule, why = points[cur]
                reached[nxt] = (rule, why)
                cur = nxt
                path.append(cur)
            if cur in points:  # a cycle: nobody's word decides
                continue
            if self._entries[cur] not in roots:
                roots.append(self._entries[cur])
        # A root some member names as its source outranks roots nobody names.
        named_roots = [r for r in roots if r.seq in reached]
        if len(named_roots) == 1:
            rule, why = reached[named_roots[0].seq]
            return named_roots[0].seq, rule, why
        pool = named_roots or roots or entries
        # Only a full set of dates decides: an undated member may be the original (publishers'
        # dates are missed too), and in a stream the first seen is the likelier original then.
        if all(e.published for e in pool):
            best = min(pool, key=lambda e: e.seq)
            for e in pool:
                if _day_cmp(e.published, best.published) < 0:
                    best = e
            if all(e is best or _day_cmp(best.published, e.published) < 0 for e in pool):
                return best.seq, "earliest", f"earliest published ({best.published})"
        first = min(pool, key=lambda e: e.seq)
        why = "first seen: none names another as its source or links to it, not all are dated"
        return first.seq, "first-seen", why

    # -- reading ------------------------------------------------------------------------------

    def groups(self) -> list[CopyGroup]:
        """Every group of two or more articles, original first, in order of first arrival."""
        comps: dict[int, list[int]] = {}
        for i in range(len(self._entries)):
            comps.setdefault(self._find(i), []).append(i)
        out: list[CopyGroup] = []
        for members in sorted(comps.values(), key=min):
            if len(members) < 2:
                continue
            orig, rule, why = self._choose(members)
            o = self._entries[orig]
            links: list[CopyLink] = []
            od = o.doc_set()
            for m in members:
                if m == orig:
                    continue
                e = self._entries[m]
                edge = self._edges.get((min(m, orig), max(m, orig)))
                jac, cont, _ = _overlap(e.doc_set(), od)
                kind: Literal["exact", "near"] = (
                    "exact" if edge is not None and edge.kind == "exact" else "near"
                )
                reason = f"same text as {o.id}" if kind == "exact" else self._describe(e, o)
                if edge is None:
                    reason += " (grouped through another copy)"
                links.append(CopyLink(e.id, kind, round(jac, 3), round(cont, 3), reason))
            out.append(CopyGroup(o.id, links, rule, why))
        return out

    def original_of(self, article_id: str) -> str:
        """The id of the original ``article_id`` copies (itself when it copies nothing)."""
        n = self._by_id[article_id]
        root = self._find(n)
        members = [i for i in range(len(self._entries)) if self._find(i) == root]
        if len(members) < 2:
            return article_id
        return self._entries[self._choose(members)[0]].id

    def paragraph_matches(self, article_id: str) -> list[ParagraphMatch]:
        """Near-duplicate paragraphs shared with other articles (either came first)."""
        return sorted(
            self._entries[self._by_id[article_id]].matches,
            key=lambda m: (m.paragraph, m.other, m.other_paragraph),
        )

    def _find(self, i: int) -> int:
        while self._parent[i] != i:
            self._parent[i] = self._parent[self._parent[i]]
            i = self._parent[i]
        return i

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)


def _pointers(entry: _Entry) -> list[str]:
    """URLs an article points to as its source: those it names and its canonical link."""
    if entry.canonical and entry.canonical != entry.url:
        return [*entry.named, entry.canonical]
    return list(entry.named)


def _para_key(k: int, value: int) -> int:
    return (k << 32) | value


def _collect(posting: int | list[int] | None, into: set[int]) -> None:
    if posting is None:
        return
    if isinstance(posting, int):
        into.add(posting)
    else:
        into.update(posting)


def _post(index: dict[int, int | list[int]], key: int, value: int) -> None:
    # A lone posting stays a bare int: most keys never collide, and a list costs 60+ bytes more.
    cur = index.get(key)
    if cur is None:
        index[key] = value
    elif isinstance(cur, int):
        index[key] = [cur, value]
    elif len(cur) < MAX_POSTINGS:
        cur.append(value)
