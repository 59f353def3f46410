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

Memory. What a look-up needs stays in memory, in numpy arrays rather than Python objects: the
:data:`BANDS` LSH keys (12 bytes each), the :data:`PARAGRAPH_KEYS` keys of every paragraph of
:data:`PARAGRAPH_MIN_WORDS` words or more (16 bytes each), and 64-bit hashes of the article's id,
URLs and text (12-16 bytes each), all as sorted arrays with a bounded dict of the latest postings
(:class:`_Postings`); a key shared by more than :data:`MAX_POSTINGS` articles stops collecting.
What verification and explanation need (shingle sets, paragraph bounds and hashes, URLs, dates)
goes to an append-only temporary file, one record per article (:class:`_Records`; about 12
bytes per body word), read back only for an article's candidates and for groups; memory keeps
its offset and length. ``bench/copies.py`` measures 3.2 KB in memory per article of 931 words
and 34 paragraphs (19.9 KB before the records went to disk) plus 10.5 KB on disk;
``bench/scale.py`` measures the growth over a long synthetic stream (see docs/benchmarks.md).
Copy groups are kept as lists of their members, so :meth:`~CopyIndex.original_of` and
:meth:`~CopyIndex.groups` read only the articles that are in a group. A process-wide cache of
word hashes adds up to about 20 MB once.

MinHash is computed here with numpy (multiply-shift hashing of 64-bit shingle hashes, one
matrix operation per article) rather than with datasketch: no extra dependency, deterministic
across processes, per-paragraph minima from the same pass, and measured 3.3x faster than
datasketch 2.0.0's ``MinHash.update_batch`` + ``MinHashLSH`` on the same shingles.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import tempfile
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

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
    """One article as the index compares it: built on :meth:`CopyIndex.add`, then kept only as a
    record in the disk-backed :class:`_Records` and decoded again when a candidate needs it."""

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
    bounds: npt.NDArray[np.int64]
    paragraphs: list[int]
    """Index in ``Article.paragraphs`` of each shingled paragraph."""
    para_hashes: list[int]
    doc: U64
    """The article's unique shingles, sorted."""

    def doc_set(self) -> U64:
        return self.doc

    def para_set(self, i: int) -> U64:
        return self.shingles[self.bounds[i] : self.bounds[i + 1]]

    def encode(self) -> bytes:
        k, d, n = len(self.paragraphs), len(self.doc), len(self.shingles)
        meta = json.dumps(
            [self.id, self.url, self.canonical, list(self.named), self.site, self.named_site,
             self.published],
            ensure_ascii=False,
        ).encode()  # fmt: skip
        head = np.array([k, d, n, len(meta)], dtype=np.uint64)
        # Paragraphs' shingles are stored as 4-byte positions in the sorted set of the article's.
        parts = (
            head,
            self.bounds.astype(np.uint64),
            np.array(self.paragraphs, dtype=np.uint64),
            np.array(self.para_hashes, dtype=np.uint64),
            self.doc,
            np.searchsorted(self.doc, self.shingles).astype(np.uint32),
        )
        return b"".join(a.tobytes() for a in parts) + meta

    @staticmethod
    def decode(seq: int, data: bytes, meta: bool = True) -> _Entry:
        """The entry of a record; without ``meta`` only its shingles (most candidates are
        verified and dropped on those alone), its id, URLs, dates and paragraphs left empty."""
        k, d, n, m = (int(x) for x in np.frombuffer(data, dtype=np.uint64, count=4))
        body = np.frombuffer(data, dtype=np.uint64, count=4 + (k + 1) + 2 * k + d)
        bounds = body[4 : 5 + k].astype(np.int64)
        doc = body[5 + 3 * k :]
        where = np.frombuffer(data, dtype=np.uint32, count=n, offset=8 * len(body))
        if not meta:
            no = None
            return _Entry("", seq, no, no, (), no, no, no, doc[where], bounds, [], [], doc)
        paragraphs = body[5 + k : 5 + 2 * k].tolist()
        para_hashes = body[5 + 2 * k : 5 + 3 * k].tolist()
        fields = json.loads(data[len(data) - m :].decode())
        return _Entry(
            id=fields[0], seq=seq, url=fields[1], canonical=fields[2], named=tuple(fields[3]),
            site=fields[4], named_site=fields[5], published=fields[6], shingles=doc[where],
            bounds=bounds, paragraphs=paragraphs, para_hashes=para_hashes, doc=doc,
        )  # fmt: skip


class _Records:
    """Append-only store of encoded entries, on disk (an anonymous temporary file).

    Shingle sets are most of an entry and are read only when an article is a candidate or a
    group is explained, so they live on disk and memory keeps 12 bytes per article (offset and
    length). Recent records wait in a write buffer of at most ``buffer`` bytes.
    """

    def __init__(self, directory: str | Path | None = None, buffer: int = 1 << 20) -> None:
        # Kept open for the index's life (closed by close() or on collection).
        self._file = tempfile.TemporaryFile(dir=directory, prefix="crosswire-copies-")  # noqa: SIM115
        self._fd = self._file.fileno()
        self._buf = bytearray()
        self._limit = buffer
        self._flushed = 0
        self._offsets = np.zeros(1024, dtype=np.int64)
        self._lengths = np.zeros(1024, dtype=np.uint32)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    @property
    def disk_bytes(self) -> int:
        return self._flushed + len(self._buf)

    def append(self, data: bytes) -> int:
        n = self._n
        if n == len(self._offsets):
            self._offsets = np.resize(self._offsets, 2 * n)
            self._lengths = np.resize(self._lengths, 2 * n)
        self._offsets[n] = self._flushed + len(self._buf)
        self._lengths[n] = len(data)
        self._buf += data
        self._n += 1
        if len(self._buf) >= self._limit:
            os.pwrite(self._fd, self._buf, self._flushed)
            self._flushed += len(self._buf)
            self._buf = bytearray()
        return n

    def get(self, seq: int) -> bytes:
        if not 0 <= seq < self._n:
            raise IndexError(seq)
        off, length = int(self._offsets[seq]), int(self._lengths[seq])
        if off >= self._flushed:
            return bytes(self._buf[off - self._flushed : off - self._flushed + length])
        data = os.pread(self._fd, length, off)
        if len(data) != length:
            raise OSError(f"short read of copy-index record {seq}")
        return data

    def close(self) -> None:
        self._file.close()


class _Postings:
    """Integer key → integer values in the order they came, at most ``cap`` per key.

    A dict of Python ints costs about 100 bytes a posting; here postings are sorted numpy
    arrays (8 bytes a key plus the value's width), and only the latest (up to ``flush``) wait
    in a dict until they are merged in. A key past ``cap`` postings stops collecting
    (boilerplate keys), which bounds the work of a look-up.
    """

    def __init__(self, cap: int, dtype: type[np.unsignedinteger[Any]] = np.uint64,
                 flush: int = 1 << 18) -> None:  # fmt: skip
        self._cap = cap
        self._flush_at = flush
        self._dtype = dtype
        self._keys: U64 = np.empty(0, dtype=np.uint64)
        self._values: npt.NDArray[np.unsignedinteger[Any]] = np.empty(0, dtype=dtype)
        self._recent: dict[int, int | list[int]] = {}
        self._pending = 0

    def __len__(self) -> int:
        return len(self._keys) + self._pending

    @property
    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._values.nbytes)

    def add(self, key: int, value: int) -> None:
        cur = self._recent.get(key)
        if cur is None:
            # A lone posting stays a bare int: most keys never collide.
            self._recent[key] = value
        elif isinstance(cur, int):
            self._recent[key] = [cur, value]
        elif len(cur) < self._cap:
            cur.append(value)
        else:
            return
        self._pending += 1
        # Merging costs a copy of the arrays, so the dict may grow with them (an eighth of
        # them), up to ``flush`` postings: a bounded dict and a bounded total cost of merging.
        if self._pending >= min(self._flush_at, max(1024, len(self._keys) >> 3)):
            self._flush()

    def get(self, key: int) -> list[int]:
        return self.get_many([key])[0]

    def get_many(self, keys: list[int]) -> list[list[int]]:
        """The postings of each key, oldest first."""
        if not keys:
            return []
        out: list[list[int]] = []
        if len(self._keys):
            q = np.array(keys, dtype=np.uint64)
            lo = np.searchsorted(self._keys, q, "left").tolist()
            hi = np.searchsorted(self._keys, q, "right").tolist()
        else:
            lo = hi = [0] * len(keys)
        for key, a, b in zip(keys, lo, hi, strict=True):
            vals: list[int] = self._values[a:b].tolist() if b > a else []
            r = self._recent.get(key)
            if r is not None:
                if isinstance(r, int):
                    vals.append(r)
                else:
                    vals += r
            out.append(vals[: self._cap] if len(vals) > self._cap else vals)
        return out

    def _flush(self) -> None:
        keys: list[int] = []
        values: list[int] = []
        for key in sorted(self._recent):
            posting = self._recent[key]
            if isinstance(posting, int):
                keys.append(key)
                values.append(posting)
            else:
                keys += [key] * len(posting)
                values += posting
        k = np.array(keys, dtype=np.uint64)
        v = np.array(values, dtype=self._dtype)
        self._recent = {}
        self._pending = 0
        if not len(k):
            return
        # Keep a key's first ``cap`` postings: those already merged, then the oldest new ones.
        have = np.searchsorted(self._keys, k, "right") - np.searchsorted(self._keys, k, "left")
        idx = np.arange(len(k))
        start = np.ones(len(k), dtype=bool)
        start[1:] = k[1:] != k[:-1]
        rank = idx - np.maximum.accumulate(np.where(start, idx, 0))
        keep = rank + have < self._cap
        k, v = k[keep], v[keep]
        pos = np.searchsorted(self._keys, k, "right")
        self._keys = np.insert(self._keys, pos, k)
        self._values = np.insert(self._values, pos, v)


def _overlap(a: U64, b: U64) -> tuple[float, float, int]:
    """Jaccard, containment of the smaller in the larger, and the size of the intersection of
    two sorted sets."""
    if not len(a) or not len(b):
        return 0.0, 0.0, 0
    # Both are sorted sets: a binary search of the smaller in the larger, no sort of both.
    if len(a) > len(b):
        a, b = b, a
    at = np.searchsorted(b, a)
    at[at == len(b)] = 0
    inter = int(np.count_nonzero(b[at] == a))
    return inter / (len(a) + len(b) - inter), inter / min(len(a), len(b)), inter


def _day_cmp(a: str | None, b: str | None) -> int:
    """-1/1 when date ``a`` is before/after ``b`` at their shared precision, 0 when undecided."""
    if not a or not b:
        return 0
    n = min(len(a), len(b), 19)
    x, y = a[:n], b[:n]
    return (x > y) - (x < y)


class CopyIndex:
    """Exact and near-duplicate articles, found as they are added (see the module docstring).

    ``directory`` is where the temporary file of shingle records goes (the system's temporary
    folder by default); it is deleted when the index is closed or collected.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self._records = _Records(directory)
        self._ids = _Postings(MAX_POSTINGS, np.uint32)
        self._exact = _Postings(1, np.uint32)
        self._bands = _Postings(MAX_POSTINGS, np.uint32)
        self._para_keys = _Postings(MAX_POSTINGS)
        self._urls = _Postings(MAX_POSTINGS, np.uint32)
        self._canonical = _Postings(1, np.uint32)
        self._named_by = _Postings(MAX_POSTINGS, np.uint32)
        self._matches = _Postings(1 << 62)
        """seq → ``other << 32 | own paragraph << 16 | other's paragraph`` (shingled indexes)."""
        self._parent = np.zeros(1024, dtype=np.int32)
        self._members: dict[int, list[int]] = {}
        """Root → members of each group of two or more, so no reading walks every article."""
        self._edges: dict[int, bool] = {}
        """Verified pairs ``low << 32 | high`` → whether the copy was exact."""

    def __len__(self) -> int:
        return len(self._records)

    def close(self) -> None:
        """Delete the index's temporary file; the index cannot be used afterwards."""
        self._records.close()

    def memory_bytes(self) -> int:
        """Bytes held in the index's numpy arrays (the disk records not included)."""
        tables = (self._ids, self._exact, self._bands, self._para_keys, self._urls,
                  self._canonical, self._named_by, self._matches)  # fmt: skip
        own = self._parent.nbytes + self._records._offsets.nbytes + self._records._lengths.nbytes
        return own + sum(t.nbytes for t in tables)

    @property
    def disk_bytes(self) -> int:
        """Bytes of shingle records written to the temporary file."""
        return self._records.disk_bytes

    def _entry_at(self, seq: int) -> _Entry:
        return _Entry.decode(seq, self._records.get(seq))

    def _seq(self, article_id: str) -> int | None:
        for seq in self._ids.get(_h64(article_id)):
            if self._entry_at(seq).id == article_id:
                return seq
        return None

    # -- adding ------------------------------------------------------------------------------

    def add(self, article: Article) -> CopyMatch | None:
        """Index ``article``; the strongest verified copy relation to an earlier article, if any."""
        if self._seq(article.id) is not None:
            raise ValueError(f"article {article.id} was already added")
        entry, tokens_all, para_sigs, sig = self._entry(article)
        n = entry.seq
        matches: list[tuple[int, CopyMatch]] = []
        text_hash = _h64(" ".join(tokens_all), 16) if tokens_all else None
        exact = self._exact.get(text_hash) if text_hash is not None else []
        if exact:
            other = self._entry_at(exact[0])
            m = CopyMatch(article.id, other.id, "exact", 1.0, 1.0, f"same text as {other.id}")
            matches.append((other.seq, m))
        else:
            matches += self._near(entry, para_sigs, sig)
        self._store(entry, text_hash, para_sigs, sig)
        for j, m in matches:
            self._edges[(min(n, j) << 32) | max(n, j)] = m.kind == "exact"
            self._union(n, j)
        if not matches:
            return None
        return max((m for _, m in matches),
                   key=lambda m: (m.kind == "exact", m.containment, m.jaccard))  # fmt: skip

    def _entry(
        self, article: Article
    ) -> tuple[_Entry, list[str], list[npt.NDArray[np.uint32] | None], npt.NDArray[np.uint32]]:
        """The article's index entry, its words, paragraph MinHash keys and MinHash signature."""
        token_lists: list[list[str]] = []
        para_index: list[int] = []
        para_hashes: list[int] = []
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
            para_hashes.append(_h64(" ".join(tokens)))
        long = [len(t) >= PARAGRAPH_MIN_WORDS for t in token_lists]
        url = _norm_url(article.url)
        named -= {None, url}
        shingles, bounds = _paragraph_shingles(token_lists)
        entry = _Entry(
            id=article.id,
            seq=len(self._records),
            url=url,
            canonical=_norm_url(article.canonical_url),
            named=tuple(sorted(u for u in named if u)),
            site=_norm_site(article.site),
            named_site=_norm_site(article.original_site),
            published=article.published,
            shingles=shingles,
            bounds=bounds.astype(np.int64),
            paragraphs=para_index,
            para_hashes=para_hashes,
            doc=np.unique(shingles),
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
        # One table for all bands: the band's number takes the key's low bits.
        acc = (acc & ~np.uint64(BANDS - 1)) | np.arange(BANDS, dtype=np.uint64)
        return [int(k) for k in acc]

    def _near(
        self,
        entry: _Entry,
        para_sigs: list[npt.NDArray[np.uint32] | None],
        sig: npt.NDArray[np.uint32],
    ) -> list[tuple[int, CopyMatch]]:
        candidates: set[int] = set()
        for posting in self._bands.get_many(self._band_keys(sig)):
            candidates.update(posting)
        para_hits: dict[int, set[int]] = {}
        asked = [(i, k) for i, ps in enumerate(para_sigs) if ps is not None
                 for k in range(PARAGRAPH_KEYS)]  # fmt: skip
        keys = [_para_key(k, int(ps[k])) for i, k in asked if (ps := para_sigs[i]) is not None]
        for (i, _), posting in zip(asked, self._para_keys.get_many(keys), strict=True):
            para_hits.setdefault(i, set()).update(posting)
        for found in para_hits.values():
            candidates.update(f >> 16 for f in found)
        named: set[int] = set()
        for u in _pointers(entry):
            hit = self._url_seq(u)
            if hit is not None:
                named.add(hit)
        # Those that named this article before it arrived.
        for own in (entry.url, entry.canonical):
            named.update(self._named_by.get(_h64(own)) if own else ())
        candidates |= named

        doc = entry.doc_set()
        out: list[tuple[int, CopyMatch]] = []
        by_candidate: dict[int, list[tuple[int, int]]] = {}
        for i, found in para_hits.items():
            for f in found:
                by_candidate.setdefault(f >> 16, []).append((i, f & 0xFFFF))
        for c in sorted(candidates):
            data = self._records.get(c)
            other = _Entry.decode(c, data, meta=False)
            self._paragraph_matches(entry, other, by_candidate.get(c, ()))
            jac, cont, _ = _overlap(doc, other_set := other.doc_set())
            small, large = sorted((len(doc), len(other_set)))
            if small < MIN_SHINGLES or large == 0:
                continue
            ratio = small / large
            needed = NAMED_CONTAINMENT if c in named else CONTAINMENT
            if jac >= JACCARD or (cont >= needed and ratio >= MIN_SIZE_RATIO):
                other = _Entry.decode(c, data)
                why = self._describe(entry, other)
                out.append((c, CopyMatch(entry.id, other.id, "near", jac, cont, why)))
        return out

    def _url_seq(self, url: str) -> int | None:
        """The article whose URL (the latest such), else whose canonical link, is ``url``."""
        own = self._urls.get(_h64(url))
        if own:
            return own[-1]
        canonical = self._canonical.get(_h64(url))
        return canonical[0] if canonical else None

    def _paragraph_matches(
        self, entry: _Entry, other: _Entry, hits: Iterable[tuple[int, int]]
    ) -> None:
        c = other.seq
        for i, j in hits:
            jac, _, _ = _overlap(entry.para_set(i), other.para_set(j))
            if jac >= PARAGRAPH_SIMILARITY:
                self._matches.add(entry.seq, (c << 32) | (i << 16) | j)
                self._matches.add(c, (entry.seq << 32) | (j << 16) | i)

    def _store(
        self,
        entry: _Entry,
        text_hash: int | None,
        para_sigs: list[npt.NDArray[np.uint32] | None],
        sig: npt.NDArray[np.uint32],
    ) -> None:
        n = self._records.append(entry.encode())
        if n == len(self._parent):
            self._parent = np.resize(self._parent, 2 * n)
        self._parent[n] = n
        self._ids.add(_h64(entry.id), n)
        if text_hash is not None:
            self._exact.add(text_hash, n)
        if entry.url:
            self._urls.add(_h64(entry.url), n)
        for u in _pointers(entry):
            self._named_by.add(_h64(u), n)
        if entry.canonical:
            self._canonical.add(_h64(entry.canonical), n)
        if len(entry.shingles) < MIN_SHINGLES:
            return
        for key in self._band_keys(sig):
            self._bands.add(key, n)
        for i, ps in enumerate(para_sigs):
            if ps is not None and i < 0xFFFF:
                for k in range(PARAGRAPH_KEYS):
                    self._para_keys.add(_para_key(k, int(ps[k])), (n << 16) | i)

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

    def _choose(self, members: list[int]) -> tuple[_Entry, Rule, str]:
        entries = [self._entry_at(m) for m in members]
        by_seq = {e.seq: e for e in entries}
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
        root_seqs: set[int] = set()
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
            # By sequence number, in a set: comparing entries field by field made this
            # quadratic on groups of thousands of copies.
            if cur not in root_seqs:
                root_seqs.add(cur)
                roots.append(by_seq[cur])
        # A root some member names as its source outranks roots nobody names.
        named_roots = [r for r in roots if r.seq in reached]
        if len(named_roots) == 1:
            rule, why = reached[named_roots[0].seq]
            return named_roots[0], rule, why
        pool = named_roots or roots or entries
        # Only a full set of dates decides: an undated member may be the original (publishers'
        # dates are missed too), and in a stream the first seen is the likelier original then.
        if all(e.published for e in pool):
            best = min(pool, key=lambda e: e.seq)
            for e in pool:
                if _day_cmp(e.published, best.published) < 0:
                    best = e
            if all(e is best or _day_cmp(best.published, e.published) < 0 for e in pool):
                return best, "earliest", f"earliest published ({best.published})"
        first = min(pool, key=lambda e: e.seq)
        why = "first seen: none names another as its source or links to it, not all are dated"
        return first, "first-seen", why

    # -- reading ------------------------------------------------------------------------------

    def groups(self) -> list[CopyGroup]:
        """Every group of two or more articles, original first, in order of first arrival."""
        out: list[CopyGroup] = []
        for members in sorted((sorted(m) for m in self._members.values()), key=min):
            o, rule, why = self._choose(members)
            orig = o.seq
            links: list[CopyLink] = []
            od = o.doc_set()
            for m in members:
                if m == orig:
                    continue
                e = self._entry_at(m)
                edge = self._edges.get((min(m, orig) << 32) | max(m, orig))
                jac, cont, _ = _overlap(e.doc_set(), od)
                kind: Literal["exact", "near"] = "exact" if edge else "near"
                reason = f"same text as {o.id}" if kind == "exact" else self._describe(e, o)
                if edge is None:
                    reason += " (grouped through another copy)"
                links.append(CopyLink(e.id, kind, round(jac, 3), round(cont, 3), reason))
            out.append(CopyGroup(o.id, links, rule, why))
        return out

    def original_of(self, article_id: str) -> str:
        """The id of the original ``article_id`` copies (itself when it copies nothing)."""
        n = self._seq(article_id)
        if n is None:
            raise KeyError(article_id)
        members = self._members.get(self._find(n))
        if members is None:
            return article_id
        return self._choose(sorted(members))[0].id

    def paragraph_matches(self, article_id: str) -> list[ParagraphMatch]:
        """Near-duplicate paragraphs shared with other articles (either came first)."""
        n = self._seq(article_id)
        if n is None:
            raise KeyError(article_id)
        own = self._entry_at(n)
        others: dict[int, _Entry] = {}
        out: list[ParagraphMatch] = []
        for v in self._matches.get(n):
            c, i, j = v >> 32, (v >> 16) & 0xFFFF, v & 0xFFFF
            other = others.get(c) or others.setdefault(c, self._entry_at(c))
            # The similarity is measured again rather than stored: these reads are rare.
            jac, _, _ = _overlap(own.para_set(i), other.para_set(j))
            out.append(ParagraphMatch(own.paragraphs[i], other.id, other.paragraphs[j],
                                      round(jac, 3)))  # fmt: skip
        return sorted(out, key=lambda m: (m.paragraph, m.other, m.other_paragraph))

    def _find(self, i: int) -> int:
        parent = self._parent
        while (p := int(parent[i])) != i:
            parent[i] = parent[p]
            i = p
        return i

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            low, high = min(ra, rb), max(ra, rb)
            self._parent[high] = low
            group = self._members.pop(low, [low])
            group += self._members.pop(high, [high])
            self._members[low] = group


def _pointers(entry: _Entry) -> list[str]:
    """URLs an article points to as its source: those it names and its canonical link."""
    if entry.canonical and entry.canonical != entry.url:
        return [*entry.named, entry.canonical]
    return list(entry.named)


def _para_key(k: int, value: int) -> int:
    return (k << 32) | value


def _h64(text: str, size: int = 8) -> int:
    """A 64-bit hash of ``text`` (the first 8 bytes of a ``size``-byte blake2b digest)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=size).digest()[:8], "little")
