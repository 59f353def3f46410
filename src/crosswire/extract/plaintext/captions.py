"""Photo captions left inline when a page is copied as plain text.

Two kinds of evidence:

* explicit cues, in any language: "Photo:", "Foto: dpa", "(Reuters: Kim Hong-Ji)", "in a photo
  released by …", "AP Photo/…", "图为…", "（新华社记者 X 摄）";
* for English, caption *grammar* read off a spaCy parse of the one short line: a single sentence
  whose subject names a person ("Russia's President Vladimir Putin …") and whose verb is in the
  present or present perfect ("attend a reception", "has hit out at") — news prose narrates in the
  past, captions describe the picture in the present. Quotes and speech verbs rule a line out: a
  line that reports what someone said is the story, not the picture.

The spaCy model is loaded lazily, once per process, and only ever sees short candidate lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["explicit_caption", "implicit_captions"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CREDIT_WORDS = (
    r"Supplied|Getty(?:\s+Images)?|AP(?:\s+Photo)?|Reuters|AFP|EPA(?:-EFE)?|AAP(?:\s+Image)?|Pool|File|"
    r"Handout|Bloomberg|KCNA|Yonhap|Xinhua|dpa|picture[\s-]alliance|Shutterstock|iStock|Unsplash|"
    r"Wikimedia(?:\s+Commons)?|NurPhoto|SOPA|Anadolu|Sputnik|TASS|RIA\s+Novosti|ANSA|Imago|Keystone"
)
_CUE_START = re.compile(
    r"(?:photo|photos|picture|pictured|image|photograph|illustration|credit|photo\s+credit|foto|"
    r"fotos|bild|bilder|fotó|crédit|crédito|фото|фотография|иллюстрация|图|圖|图片|圖片|照片|摄影|"
    r"攝影|사진|写真)\s*[:：/]"
    r"|(?:图为|圖為|资料图|資料圖|上图|下图|左图|右图)|pictured\b",
    re.IGNORECASE,
)
_CUE_INSIDE_HINTS = (
    "photo",
    "picture",
    "image",
    "getty",
    "reuters/",
    "afp/",
    "epa/",
    "video still",
)
_CUE_INSIDE = re.compile(
    r"\bin\s+an?\s+(?:handout\s+)?(?:photo|picture|image|video\s+still|still\s+image)\s+"
    r"(?:released|provided|distributed|taken|published|obtained|issued|made\s+available)\s+by\b"
    r"|\b(?:AP\s+Photo|Getty\s+Images|REUTERS/|AFP/|EPA/|Photo\s+by|Photograph:|file\s+photo|"
    r"handout\s+photo|photo\s+illustration)\b"
    r"|[(（](?:pictured|photo|picture|file)[)）]",
    re.IGNORECASE,
)
# Credits in brackets ending the line: "(Foto: dpa)", "(Getty Images)", "（新华社记者 X 摄）".
_CUE_END = re.compile(
    r"[(（](?:photo|foto|bild|фото|image|picture|credit|crédit|crédito|图|圖|摄|攝)\s*[:：]?"
    r"[^()（）]{1,80}[)）]$"
    r"|[(（][^()（）]{0,40}(?:摄|攝|供图|供圖)[)）]$"
    r"|\((?:[^()]{0,40}\b)?(?:" + _CREDIT_WORDS + r")\b[^()]{0,40}\)$",
    re.IGNORECASE,
)
# ABC-style "(Reuters: Kim Hong-Ji)": an organisation, a colon and a name, capitalised.
_ORG_NAME_END = re.compile(
    r"\((?!(?:Source|Sources|Quelle|Quellen|Fuente|Fonte|Источник|Data|Daten)\b)"
    r"(?:[A-Z][\w.&'’-]*\s?){1,4}:\s*[A-Z][^()]{1,60}\)$"
)
_END_WINDOW = 160
_QUOTE = re.compile(r"[\"“”„«»「」『』]|(?:^|[\s(])['‘](?=\w)")
_SPEECH = re.compile(
    r"\b(?:said|says|say|saying|told|tells|tell|telling|according\s+to|added|adds|stated|states|"
    r"claimed|claims|wrote|writes|reported|reports|reporting|announced|announces|asked|asks|"
    r"explained|explains|noted|notes|insisted|insists|argued|argues|warned|warns|"
    r"believes?|believed|expects?|expected|thinks?|thought)\b",
    re.IGNORECASE,
)
_OPENERS = _words(
    """but and so or yet however meanwhile still also instead then now it its this that these those
    there here he she they we i you his her their our my your in on at by after before when while as
    if although though since because for with without despite during under over last earlier later
    some many most more few all both each every no not one two three a an the"""
)
_ABBREV = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Lt|Col|Sgt|Rep|Sen|Gov|Prof|Inc|Co|Corp|No|[A-Z])\.$"
)
_DEPICTABLE = _words(
    """attend visit speak arrive leave meet shake gesture walk wave hold pose look stand sit listen
    deliver address inspect watch greet embrace hug celebrate react smile pray march protest gather
    rally salute board sign take give lay tour observe chair preside campaign vote enter exit kneel
    cry mourn dance play perform stand sing cheer clap shout kiss applaud pause prepare carry ride
    drive fly land"""
)
_TITLES = _words(
    """president prime minister leader chancellor king queen prince princess secretary chief
    spokesperson spokesman spokeswoman governor mayor senator general commander ambassador
    ceo chairman chairwoman chair director head premier foreign defence defense official
    coach captain player star actor singer dr mr mrs ms sir lord lady pope"""
)


def explicit_caption(text: str) -> bool:
    """Whether ``text`` carries a photo-caption cue ("Photo:", "(Reuters: X)", "图为")."""
    if len(text) > 600:
        return False
    end = text[-_END_WINDOW:]
    low = text.casefold()
    cued = (
        _CUE_START.match(text)
        or _CUE_END.search(end)
        or _ORG_NAME_END.search(end)
        or (any(h in low for h in _CUE_INSIDE_HINTS) and _CUE_INSIDE.search(text))
    )
    if not cued:
        return False
    # A quotation with a caption-ish word in it ("… he said, pictured …") is still the story.
    return not (_SPEECH.search(text) and _QUOTE.search(text))


def _nlp() -> Any | None:
    # The read stage's pipeline, so that a worker holds one copy of the model, not two.
    from crosswire.read.nlp import ModelMissingError, load

    try:
        return load()
    except ModelMissingError:  # no model: no grammar-based captions, which is no failure
        return None


def _single_sentence(text: str) -> bool:
    for m in re.finditer(r"[.!?]\s+(?=[A-Z\"“])", text[:-1]):
        if not _ABBREV.search(text[: m.start() + 1]):
            return False
    return True


def _candidate(text: str) -> bool:
    words = text.split()
    if not 4 <= len(words) <= 30 or not text.endswith("."):
        return False
    first = words[0].strip("\"'“‘(").casefold()
    if not words[0][:1].isupper() or first in _OPENERS:
        return False
    # A caption opens on a name ("Russia's President Vladimir Putin", "Kim Jong Un visits"):
    # two capitalised words in a row early on, or the parse is not worth running.
    if not _NAMED_OPENING.match(text):
        return False
    return not (_QUOTE.search(text) or _SPEECH.search(text)) and _single_sentence(text)


_NAMED_OPENING = re.compile(r"^(?:\S+\s+){0,6}?[A-Z][\w'’.-]*\s+[A-Z][\w'’.-]*")
_PRESENT_VERB_FORMS = {"VBZ", "VBP"}
_NAME_WORD = re.compile(r"\b[A-Z][\w-]{3,}")


def _score(doc: Any, *, index: int, first_seen: dict[str, int]) -> int:
    """Caption score of a parsed line: 0 when its grammar rules it out."""
    if any(t.tag_ in ("VBD", "MD") for t in doc):
        return 0
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return 0
    aux = [c for c in root.children if c.dep_ in ("aux", "auxpass")]
    simple_present = root.tag_ in _PRESENT_VERB_FORMS and not (
        root.lemma_ == "be" or root.lower_ in ("is", "are", "'s", "'re")
    )
    perfect_or_passive = root.tag_ in ("VBN", "VBG") and any(
        a.tag_ in _PRESENT_VERB_FORMS for a in aux
    )
    if not (simple_present or perfect_or_passive):
        return 0
    subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects:
        return 0
    subtree = list(subjects[0].subtree)
    person = [t for t in subtree if t.ent_type_ == "PERSON"]
    titled = any(t.lower_ in _TITLES for t in subtree)
    if not person and not (subjects[0].pos_ == "PROPN" and titled):
        return 0
    score = 1
    lemma = root.lemma_.casefold() if root.lemma_ else root.lower_
    if simple_present and (lemma in _DEPICTABLE or root.lower_.rstrip("s") in _DEPICTABLE):
        score += 1
    if titled or any(t.dep_ == "poss" for t in subtree):
        score += 1
    # Captions re-introduce people by full name, out of the story's flow; prose uses the surname.
    names = {t.text for t in person if len(t.text) >= 4}
    if len(person) >= 2 and any(first_seen.get(n, index) < index for n in names):
        score += 1
    if len(doc) <= 22:
        score += 1
    return score


def implicit_captions(
    texts: Sequence[str], *, eligible: Sequence[bool], lead: Sequence[bool], body_from: int = 0
) -> list[bool]:
    """For the English article ``texts`` (in order), whether each eligible line reads as a caption.

    ``lead[i]`` says the line sits right under the title, where a caption is expected and less
    evidence is needed. Names count as already introduced from line ``body_from`` on (a lede
    repeating the headline's names is not re-introducing anyone).
    """
    result = [False] * len(texts)
    todo = [i for i, t in enumerate(texts) if eligible[i] and _candidate(t)][:300]
    if not todo:
        return result
    nlp = _nlp()
    if nlp is None:
        return result
    first_seen: dict[str, int] = {}
    for i, text in enumerate(texts[body_from:], start=body_from):
        for word in _NAME_WORD.findall(text[:5000]):
            first_seen.setdefault(word, i)
    try:
        docs = list(nlp.pipe([texts[i] for i in todo], batch_size=64))
    except Exception:  # a tagger failure must not lose the article
        return result
    for i, doc in zip(todo, docs, strict=True):
        need = 3 if lead[i] else 4
        result[i] = _score(doc, index=i, first_seen=first_seen) >= need
    return result
