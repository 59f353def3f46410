"""Token features for the attribution tagger: one list of ``name=value`` strings per token.

The same function feeds training (``tools/train_attribution.py``) and tagging
(:mod:`crosswire.read.attribution`), so a model sees at run time exactly what it saw in training.
The only learned input is the :class:`CueLexicon`, counted from the training corpus and shipped
beside the model.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from crosswire.read.nlp import Block

# Quote characters: which open, which close, which do both (straight quotes toggle).
_OPENING = frozenset("“‘«„‚")
_CLOSING = frozenset("”’»‟")
_TOGGLE = frozenset('"')

# Dependencies that link a cue verb to what is said, to who says it, or to neither.
_CONTENT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "parataxis", "advcl", "pobj", "attr", "oprd"})
_FRAME_DEPS = frozenset({"ccomp", "xcomp", "dobj", "parataxis", "nsubj", "prep", "mark"})
_SOURCE_DEPS = frozenset({"nsubj", "nsubjpass", "agent", "pobj", "poss", "compound"})


@dataclass(frozen=True, slots=True)
class CueLexicon:
    """How often each lemma heads (or sits inside) a cue in the training corpus."""

    head: Mapping[str, float]
    """Lemma -> share of its occurrences that head a cue (only lemmas seen heading one)."""
    inside: Mapping[str, float]
    """Lemma -> share of its occurrences that lie inside a cue span."""
    head_count: Mapping[str, int]
    """Lemma -> number of times it heads a cue."""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready form of the lexicon."""
        return {
            "head": dict(self.head),
            "inside": dict(self.inside),
            "head_count": dict(self.head_count),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CueLexicon:
        """The lexicon saved by :meth:`to_json`; raises ``KeyError``/``TypeError`` if malformed."""
        head = data["head"]
        inside = data["inside"]
        count = data["head_count"]
        if not (isinstance(head, dict) and isinstance(inside, dict) and isinstance(count, dict)):
            msg = "lexicon tables must be objects"
            raise TypeError(msg)
        return cls(
            head={str(k): float(v) for k, v in head.items()},
            inside={str(k): float(v) for k, v in inside.items()},
            head_count={str(k): int(v) for k, v in count.items()},
        )


def _bucket(share: float) -> str:
    if share <= 0.0:
        return "0"
    if share < 0.02:
        return "1"
    if share < 0.1:
        return "2"
    if share < 0.3:
        return "3"
    if share < 0.6:
        return "4"
    return "5"


def _count_bucket(n: int) -> str:
    if n == 0:
        return "0"
    if n < 3:
        return "1"
    if n < 10:
        return "2"
    if n < 50:
        return "3"
    return "4"


def _shape(text: str) -> str:
    out: list[str] = []
    for ch in text[:6]:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _quote_states(doc: Doc) -> list[str]:
    """Per token: ``o``/``c`` for an opening/closing quote mark, ``i`` inside quotes, else ``-``."""
    states: list[str] = []
    depth = 0
    straight_open = False
    for tok in doc:
        text = tok.text
        if text and all(ch in _TOGGLE for ch in text):
            states.append("c" if straight_open else "o")
            straight_open = not straight_open
        elif text and text[0] in _OPENING and (len(text) == 1 or text[0] != "’"):
            states.append("o")
            depth += 1
        elif text and text[-1] in _CLOSING and (text != "’" or depth > 0):
            states.append("c")
            depth = max(0, depth - 1)
        else:
            states.append("i" if depth > 0 or straight_open else "-")
    return states


def _sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Per token: first and last+1 token index of its sentence (``Token.sent`` is slow)."""
    out: list[tuple[int, int]] = []
    for sent in doc.sents:
        out.extend([(sent.start, sent.end)] * (sent.end - sent.start))
    return out


def _is_cue_candidate(tok: Token, lex: CueLexicon) -> bool:
    return (
        lex.head.get(tok.lemma_.lower(), 0.0) >= 0.05
        and lex.head_count.get(tok.lemma_.lower(), 0) >= 2
    )


def _governing_cue(tok: Token, lex: CueLexicon) -> tuple[Token, Token] | None:
    """The nearest ancestor that may be a cue, with the child of it on the way to ``tok``."""
    child = tok
    node = tok.head
    steps = 0
    while node.i != child.i and steps < 12:
        if _is_cue_candidate(node, lex):
            return node, child
        child = node
        node = node.head
        steps += 1
    return None


def block_features(block: Block, lex: CueLexicon) -> list[list[str]]:
    """The feature strings of every token of ``block``, in token order."""
    doc = block.doc
    n = len(doc)
    quotes = _quote_states(doc)
    bounds = _sentence_bounds(doc)
    # Each token's annotations read once into lists: spaCy builds a new Token object (and looks
    # strings up) on every attribute access, and the features below visit heads and children
    # of every token several times.
    words: list[str] = []
    lemmas: list[str] = []
    poss: list[str] = []
    tags: list[str] = []
    deps: list[str] = []
    heads: list[int] = []
    ents: list[str] = []
    ent_types: list[str] = []
    texts: list[str] = []
    starts: list[bool] = []
    ledges: list[int] = []
    redges: list[int] = []
    for tok in doc:
        words.append(tok.lower_)
        lemmas.append(tok.lemma_.lower())
        poss.append(tok.pos_)
        tags.append(tok.tag_)
        deps.append(tok.dep_)
        heads.append(tok.head.i)
        ent_type = tok.ent_type_
        ent_types.append(ent_type)
        ents.append(tok.ent_iob_ + ent_type if ent_type else "O")
        texts.append(tok.text)
        starts.append(bool(tok.is_sent_start))
        ledges.append(tok.left_edge.i)
        redges.append(tok.right_edge.i)
    # Children in token order, as Token.children yields them.
    children: list[list[int]] = [[] for _ in range(n)]
    for j, h in enumerate(heads):
        if h != j:
            children[h].append(j)
    kid_deps = [{deps[c] for c in kids} for kids in children]
    head_share = [lex.head.get(lemma, 0.0) for lemma in lemmas]
    is_cand = [
        share >= 0.05 and lex.head_count.get(lemma, 0) >= 2
        for share, lemma in zip(head_share, lemmas, strict=True)
    ]
    h_bucket = [_bucket(share) for share in head_share]
    n_bucket = [_bucket(lex.inside.get(lemma, 0.0)) for lemma in lemmas]
    # Cue candidates of the block, by token index, to relate every token to the nearest one.
    cands = [i for i in range(n) if is_cand[i]]
    # Between two quoted pieces ("…," said X. "…"): gold contents span the gap (scored as hull).
    closed_before = [False] * n
    open_after = [False] * n
    seen = False
    for j in range(n):
        closed_before[j] = seen
        seen = seen or quotes[j] == "c"
    seen = False
    for j in range(n - 1, -1, -1):
        open_after[j] = seen
        seen = seen or quotes[j] == "o"
    feats: list[list[str]] = []
    for i in range(n):
        w = words[i]
        lemma = lemmas[i]
        p = poss[i]
        d = deps[i]
        q = quotes[i]
        hb = h_bucket[i]
        h = heads[i]
        head_lemma = lemmas[h]
        f = [
            "bias",
            "w=" + w,
            "l=" + lemma,
            "p=" + p,
            "t=" + tags[i],
            "d=" + d,
            "sh=" + _shape(texts[i]),
            "s3=" + w[-3:],
            "p3=" + w[:3],
            "e=" + ents[i],
            "q=" + q,
            f"qba={closed_before[i]:d}{open_after[i]:d}{q}",
            "ch=" + hb,
            "cn=" + n_bucket[i],
            "chd=" + hb + d,
            "hl=" + head_lemma,
            "hd=" + deps[h],
            "hp=" + poss[h],
            "dhl=" + d + "|" + head_lemma,
            "hch=" + h_bucket[h],
        ]
        if starts[i]:
            f.append("sent_start")
        if i + 1 == n or starts[i + 1]:
            f.append("sent_end")
        if i == 0:
            f.append("para_start")
        if i + 1 == n:
            f.append("para_end")
        f.append("pi=" + str(min(block.index, 3)))
        if ledges[i] == i:
            f.append("ledge=" + d)
        if redges[i] == i:
            f.append("redge=" + d)
        # Outgoing dependencies: a verb with a clausal complement and a subject smells of a cue.
        kids = kid_deps[i]
        for dep in ("ccomp", "nsubj", "dobj", "xcomp", "prep", "punct", "mark"):
            if dep in kids:
                f.append("kid=" + dep)
        # Verbs unseen as cues in training still look like one: a person or pronoun subject and
        # a clause or quote after them.
        frame = sorted(kids & _FRAME_DEPS)
        f.append("frame=" + p + "|" + ",".join(frame))
        for kid in children[i]:
            if deps[kid] in ("nsubj", "nsubjpass"):
                f.append("subj=" + (ent_types[kid] or poss[kid]))
        if d in ("nsubj", "nsubjpass") or deps[h] in ("nsubj", "nsubjpass"):
            verb = h if d in ("nsubj", "nsubjpass") else heads[h]
            vkids = sorted(kid_deps[verb] & _FRAME_DEPS)
            f.append("subj_of=" + ",".join(vkids))
            f.append("subj_of_h=" + h_bucket[verb])
        for off in (-2, -1, 1, 2):
            j = i + off
            if 0 <= j < n:
                f.append(f"{off}w={words[j]}")
                f.append(f"{off}p={poss[j]}")
                f.append(f"{off}q={quotes[j]}")
                f.append(f"{off}ch={h_bucket[j]}")
                if off in (-1, 1):
                    f.append(f"{off}l={lemmas[j]}")
                    f.append(f"{off}d={deps[j]}")
            else:
                f.append(f"{off}=PAD")
        f.append("-1w|w=" + (words[i - 1] if i else "^") + "|" + w)
        f.append("w|1w=" + w + "|" + (words[i + 1] if i + 1 < n else "$"))
        # Relation to the governing cue candidate: inside its subject, its complement, ...
        # (the nearest ancestor that may be a cue, and its child on the way to this token).
        child, node, steps = i, h, 0
        while node != child and steps < 12 and not is_cand[node]:
            child, node, steps = node, heads[node], steps + 1
        if node != child and steps < 12:
            rel = deps[child]
            kind = "C" if rel in _CONTENT_DEPS else "S" if rel in _SOURCE_DEPS else "X"
            f.append("g=" + rel)
            f.append("gk=" + kind)
            f.append("gl=" + lemmas[node])
            f.append("gside=" + ("L" if i < node else "R"))
            f.append("gk|q=" + kind + q)
            if ledges[child] == i:
                f.append("gledge=" + rel)
            if redges[child] == i:
                f.append("gredge=" + rel)
            if child == i:
                f.append("ghead=" + rel)
        else:
            f.append("g=none")
        # Nearest cue candidate to the left and to the right, within the sentence or not.
        sent_start, sent_end = bounds[i]
        k = bisect_left(cands, i)
        if k:
            c = cands[k - 1]
            same = "s" if c >= sent_start else "o"
            f.append("lc=" + same + _dist(i - c))
        r = k + 1 if k < len(cands) and cands[k] == i else k
        if r < len(cands):
            c = cands[r]
            same = "s" if c < sent_end else "o"
            f.append("rc=" + same + _dist(c - i))
        if is_cand[i]:
            f.append("cand")
        feats.append(f)
    return feats


def with_cue_features(
    block: Block,
    feats: Sequence[Sequence[str]],
    cues: Sequence[tuple[int, int]],
    sources: Sequence[tuple[int, int]] = (),
) -> list[list[str]]:
    """``feats`` (from :func:`block_features`) plus each token's relation to ``cues`` and
    ``sources``, the token ranges a first tagger found; the content tagger reads these."""
    doc = block.doc
    quotes = _quote_states(doc)
    bounds = _sentence_bounds(doc)
    out = [list(f) for f in feats]
    # Sources: inside one, or how far the nearest one is (contents rarely hold their own).
    src_of: dict[int, str] = {}
    for s, e in sources:
        for j in range(s, e):
            src_of[j] = "B" if j == s else "I"
    src_ends = sorted(e for _, e in sources)
    src_starts = sorted(s for s, _ in sources)
    for i, f in enumerate(out):
        if i in src_of:
            f.append("ps=" + src_of[i])
            continue
        before = [e for e in src_ends if e <= i]
        after = [s for s in src_starts if s > i]
        if before:
            f.append("psl=" + _dist(i - before[-1] + 1))
        if after:
            f.append("psr=" + _dist(after[0] - i))
    owner: dict[int, int] = {}
    heads: list[Token] = []
    for k, (s, e) in enumerate(cues):
        for j in range(s, e):
            owner[j] = k
        toks = [doc[j] for j in range(s, e)]
        roots = [t for t in toks if not (s <= t.head.i < e) or t.head.i == t.i]
        verbs = [t for t in roots if t.pos_ in ("VERB", "AUX")] or roots or toks
        heads.append(verbs[0])
    starts = sorted(s for s, _ in cues)
    ends = sorted(e for _, e in cues)
    for tok in doc:
        i = tok.i
        f = out[i]
        q = quotes[i]
        if i in owner:
            s, e = cues[owner[i]]
            f.append("pc=" + ("B" if i == s else "I"))
            continue
        # The nearest ancestor inside a cue, and the dependency on the way down from it.
        child, node, steps = tok, tok.head, 0
        while node.i != child.i and steps < 12 and node.i not in owner:
            child, node, steps = node, node.head, steps + 1
        if node.i in owner and node.i != child.i:
            rel = child.dep_
            f.append("pg=" + rel)
            f.append("pg|q=" + rel + q)
            f.append("pgside=" + ("L" if i < node.i else "R"))
            f.append("pgl|rel=" + node.lemma_.lower() + "|" + rel)
            if child.left_edge.i == i:
                f.append("pgl=" + rel)
            if child.right_edge.i == i:
                f.append("pgr=" + rel)
        else:
            f.append("pg=none")
        # Parenthetical cues ("…, he said, …"): the token shares the clause the cue hangs from.
        for h in heads:
            up = h.head
            if (
                up.i != h.i
                and h.dep_ in ("parataxis", "ccomp", "advcl", "conj")
                and up.left_edge.i <= i <= up.right_edge.i
                and not h.left_edge.i <= i <= h.right_edge.i
            ):
                f.append("ppar=" + h.dep_ + ("L" if i < h.i else "R"))
                if up.left_edge.i == i:
                    f.append("ppar_l")
                if up.right_edge.i == i:
                    f.append("ppar_r")
                break
        sent_start, sent_end = bounds[i]
        left = [e for e in ends if e <= i]
        right = [s for s in starts if s > i]
        if left:
            c = left[-1] - 1
            f.append("pl=" + ("s" if c >= sent_start else "o") + _dist(i - c))
            f.append("pl|q=" + ("s" if c >= sent_start else "o") + q)
        if right:
            c = right[0]
            f.append("pr=" + ("s" if c < sent_end else "o") + _dist(c - i))
            f.append("pr|q=" + ("s" if c < sent_end else "o") + q)
        if not left and not right:
            f.append("pnone")
    return out


def _dist(d: int) -> str:
    if d <= 1:
        return "1"
    if d <= 3:
        return "3"
    if d <= 8:
        return "8"
    if d <= 20:
        return "20"
    return "far"


def tokens_features(blocks: Sequence[Block], lex: CueLexicon) -> list[list[list[str]]]:
    """:func:`block_features` for each block."""
    return [block_features(b, lex) for b in blocks]
