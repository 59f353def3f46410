"""Dates written out in page chrome: "23 October 2024", "23.10.2024, 14:05 Uhr", "2024年10月23日".

dateparser is not a dependency and htmldate's text parser knows English and German month names only,
so this module reads the handful of shapes that date lines in copied pages actually take, with month
names in the languages content farms copy from. It only ever looks at short chrome lines, never
at body text, so it can afford to be lenient about what surrounds the date.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

__all__ = ["find_date", "is_date_line"]

# One string per month: en, de, fr, es, it, pt, nl, ru (genitive, nominative), uk and pl (genitive).
_MONTH_NAMES: tuple[str, ...] = (
    "january januar janvier enero gennaio janeiro januari января январь січня stycznia",
    "february februar fevrier febrero febbraio fevereiro februari февраля февраль лютого lutego",
    "march marz maerz mars marzo marco maart марта март березня marca",
    "april avril abril aprile апреля апрель квітня kwietnia",
    "may mai mayo maggio maio mei мая май травня maja",
    "june juni juin junio giugno junho июня июнь червня czerwca",
    "july juli juillet julio luglio julho июля июль липня lipca",
    "august aout agosto augustus августа август серпня sierpnia",
    "september septembre septiembre settembre setembro сентября сентябрь вересня września",
    "october oktober octobre octubre ottobre outubro октября октябрь жовтня października",
    "november novembre noviembre novembro ноября ноябрь листопада listopada",
    "december dezember decembre diciembre dicembre dezembro декабря декабрь грудня grudnia",
)
# Abbreviations as printed in datelines ("Oct.", "févr.", "Dez", "окт"). Ambiguous three-letter
# stems across languages ("mar", "mai") all agree on the month, so one table serves every language.
_MONTH_ABBR: dict[str, int] = {
    "jan": 1, "jän": 1, "jaen": 1, "janv": 1, "ene": 1, "gen": 1, "янв": 1,
    "feb": 2, "febr": 2, "fev": 2, "fevr": 2, "фев": 2,
    "mar": 3, "mär": 3, "мар": 3,
    "apr": 4, "avr": 4, "abr": 4, "апр": 4,
    "jun": 6, "juin": 6, "giu": 6, "июн": 6,
    "jul": 7, "juil": 7, "lug": 7, "июл": 7,
    "aug": 8, "ago": 8, "авг": 8,
    "sep": 9, "sept": 9, "set": 9, "сен": 9, "сент": 9,
    "oct": 10, "okt": 10, "ott": 10, "out": 10, "окт": 10,
    "nov": 11, "ноя": 11, "нояб": 11,
    "dec": 12, "dez": 12, "dic": 12, "déc": 12, "дек": 12,
}  # fmt: skip
_MONTHS: dict[str, int] = dict(_MONTH_ABBR)
for _number, _names in enumerate(_MONTH_NAMES, start=1):
    for _name in _names.split():
        _MONTHS[_name] = _number

_YEAR = r"(?P<y>(?:19|20)\d{2})"
_YMD = re.compile(
    _YEAR
    + r"\s*(?:[-/.]|年|년)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月|월)\s*(?P<d>\d{1,2})(?:\s*[日일])?(?!\d)"
)
_DMY = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s*(?P<sep>[./-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*" + _YEAR + r"(?!\d)"
)
_DAY_MONTH_YEAR = re.compile(
    r"(?<![\w])(?P<d>\d{1,2})(?:st|nd|rd|th|er|\.|º|-?го)?\s*(?:de\s+)?(?P<mon>[^\W\d_]{3,12})\.?,?\s*"
    r"(?:de\s+|del\s+)?" + _YEAR + r"(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    r"(?<![\w])(?P<mon>[^\W\d_]{3,12})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    + _YEAR
    + r"(?!\d)",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(
    r"(?<![\w])(?P<mon>[^\W\d_]{3,12})\.?\s+" + _YEAR + r"(?!\d)", re.IGNORECASE
)

# What may surround a date on a date line without making it prose.
_TIME = re.compile(
    r"\b\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\s*(?:a\.m\.|p\.m\.)|\s*(?:am|pm|uhr|h)\b)?"
    r"|\b\d{1,2}\s*(?:am|pm|uhr)\b|\b\d{1,2}\s*(?:a\.m\.|p\.m\.)",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"\b(?:published|updated|posted|last|first|modified|date|dated|on|at|am|um|le|el|il|à|a|de|"
    r"veröffentlicht|aktualisiert|zuletzt|stand|publié|mis|jour|publicado|actualizado|"
    r"pubblicato|aggiornato|опубликовано|обновлено|дата|в|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|"
    r"sat|sun|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|"
    r"jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|"
    r"понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|"
    r"gmt|utc|bst|cet|cest|mez|mesz|est|edt|cst|cdt|pst|pdt|aest|aedt|acst|awst|ist|jst|kst|msk|"
    r"hours?|mins?|minutes?|ago|time|read)\b|[+-]\d{2}:?\d{2}\b|"
    r"发布时间|發佈時間|发布日期|发表时间|发稿时间|更新时间|时间|時間|日期|发布于|发表于|星期.|周.|"
    r"[\d\s,.:;|/()\[\]【】·•–—-]",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"^(?:(?:updated|posted|published|aktualisiert|publié)\s+)?(?:\d+\s*(?:s|secs?|seconds?|m|mins?|"
    r"minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s+ago|yesterday|today|just now|gestern|heute|"
    r"il y a \d+\s*\w+|hace \d+\s*\w+|\d+\s*(?:分钟|小时|天)前)\.?$",
    re.IGNORECASE,
)


def _fold(word: str) -> str:
    word = word.casefold().rstrip(".")
    if word in _MONTHS:
        return word
    # "février" → "fevrier", "März" → "marz": keep Cyrillic and Polish letters as they are.
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", word) if unicodedata.category(ch) != "Mn"
    )
    return unicodedata.normalize("NFC", stripped)


def _month(word: str) -> int | None:
    folded = _fold(word)
    return _MONTHS.get(folded) or _MONTHS.get(word.casefold().rstrip("."))


def _iso(y: int, m: int, d: int | None) -> str | None:
    if not 1990 <= y <= 2100:
        return None
    try:
        if d is None:
            date(y, m, 1)
            return f"{y:04d}-{m:02d}"
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _candidates(text: str) -> list[tuple[int, int, str]]:
    """Every date in ``text`` as (start, end, iso)."""
    found: list[tuple[int, int, str]] = []
    for m in _YMD.finditer(text):
        iso = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
        if iso:
            found.append((m.start(), m.end(), iso))
    for m in _DMY.finditer(text):
        day, month = int(m["d"]), int(m["m"])
        if m["sep"] != "." and day <= 12 and month <= 12 and day != month:
            continue  # 03/04/2024: day-first or month-first is anyone's guess
        if month > 12 >= day:
            day, month = month, day
        iso = _iso(int(m["y"]), month, day)
        if iso:
            found.append((m.start(), m.end(), iso))
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for m in pattern.finditer(text):
            month_number = _month(m["mon"])
            if month_number:
                iso = _iso(int(m["y"]), month_number, int(m["d"]))
                if iso:
                    found.append((m.start(), m.end(), iso))
    if not found:
        for m in _MONTH_YEAR.finditer(text):
            month_number = _month(m["mon"])
            if month_number:
                iso = _iso(int(m["y"]), month_number, None)
                if iso:
                    found.append((m.start(), m.end(), iso))
    found.sort()
    return found


def find_date(text: str) -> str | None:
    """The first date written in ``text`` as ISO ``YYYY-MM-DD`` (or ``YYYY-MM``), else ``None``."""
    found = _candidates(text[:500])
    return found[0][2] if found else None


def is_date_line(text: str) -> tuple[bool, str | None]:
    """Whether ``text`` is a date line ("Updated 23 October 2024 09:14 AEDT", "3 hours ago").

    Returns ``(True, iso_or_None)`` for a date line, ``(False, None)`` otherwise.
    """
    if len(text) > 160:
        return False, None
    if _RELATIVE.match(text.strip()):
        return True, None
    found = _candidates(text)
    if not found:
        return False, None
    rest = text
    for start, end, _iso_date in reversed(found):
        rest = rest[:start] + " " + rest[end:]
    rest = _TIME.sub(" ", rest)
    rest = _FILLER.sub(" ", rest)
    leftover = [w for w in rest.split() if any(ch.isalpha() for ch in w)]
    if len(leftover) <= 1 and sum(len(w) for w in leftover) <= 12:
        return True, found[0][2]
    return False, None
