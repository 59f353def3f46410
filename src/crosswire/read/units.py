"""The unit table: what follows (or, for currencies, precedes) a number, and its normal form.

Each unit has a short ``code`` (what :class:`~crosswire.read.quantities.Quantity` reports: "km",
"%", "USD") and a ``name`` in the vocabulary quantulum3 and CQE use ("kilometre", "percentage",
"dollar"), so scores against those tools compare like with like. Written forms come in two
kinds: words, matched without regard to case ("Kilometres", "per cent"), and symbols or
abbreviations, matched exactly ("km", "GB", "Hz" — "mb" and "MB" are not the same thing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit of measure."""

    code: str
    name: str


# (code, name, word forms (any case), symbol forms (exact case))
_TABLE: tuple[tuple[str, str, str, str], ...] = (
    (
        "%",
        "percentage",
        "percent|per cent|per-cent|percentage|pct|pc|percent-owned|per cent-owned",
        "%",
    ),
    ("pp", "percentage point", "percentage points|percentage point|percentage pts", "pp|ppt|ppts"),
    ("bp", "basis point", "basis points|basis point", "bps|bp"),
    ("km", "kilometre", "kilometres|kilometers|kilometre|kilometer", "km|kms"),
    ("m", "metre", "metres|meters|metre|meter", "m"),
    ("cm", "centimetre", "centimetres|centimeters|centimetre|centimeter", "cm"),
    ("mm", "millimetre", "millimetres|millimeters|millimetre|millimeter", "mm"),
    ("µm", "micrometre", "micrometres|micrometers|micrometre|micrometer|microns|micron", "μm|µm"),
    ("nm", "nanometre", "nanometres|nanometers|nanometre|nanometer", "nm"),
    ("mi", "mile", "miles|mile", "mi"),
    ("ft", "foot", "feet|foot", "ft"),
    ("in", "inch", "inches|inch", "″"),
    ("yd", "yard", "yards|yard", "yd|yds"),
    ("nmi", "nautical mile", "nautical miles|nautical mile", ""),
    (
        "km/h",
        "kilometre per hour",
        "kilometres per hour|kilometers per hour|kilometres an hour|kilometers an hour",
        "km/h|km/hr|kmh|kph|kmph",
    ),
    ("mph", "mile per hour", "miles per hour|miles an hour|mile per hour", "mph|MPH"),
    ("m/s", "metre per second", "metres per second|meters per second|metres a second", "m/s"),
    ("kn", "knot", "knots|knot", "kt|kts"),
    ("mpg", "mile per gallon", "miles per gallon|miles a gallon", "mpg|MPG"),
    ("kg", "kilogram", "kilograms|kilogrammes|kilogram|kilos|kilo", "kg|kgs"),
    ("g", "gram", "grams|grammes|gram", "g"),
    ("mg", "milligram", "milligrams|milligram", "mg"),
    ("t", "metric ton", "tonnes|tonne|metric tons|metric ton|tons|ton", "t"),
    ("Gt", "gigaton", "gigatonnes|gigatons|gigatonne|gigaton", "Gt"),
    ("Mt", "megaton", "megatonnes|megatons|megatonne|megaton", "Mt"),
    ("lb", "pound-mass", "pounds|pound", "lb|lbs"),
    ("oz", "ounce", "ounces|ounce", "oz"),
    ("hp", "horsepower", "horsepower|brake horsepower", "hp|HP|bhp|PS"),
    ("W", "watt", "watts|watt", "W"),
    ("kW", "kilowatt", "kilowatts|kilowatt", "kW|KW"),
    ("MW", "megawatt", "megawatts|megawatt", "MW"),
    ("GW", "gigawatt", "gigawatts|gigawatt", "GW"),
    ("kWh", "kilowatt hour", "kilowatt hours|kilowatt-hours|kilowatt hour", "kWh|KWh"),
    ("MWh", "megawatt hour", "megawatt hours|megawatt-hours", "MWh"),
    ("GWh", "gigawatt hour", "gigawatt hours|gigawatt-hours", "GWh"),
    ("kcal", "calorie", "calories|kilocalories|calorie", "kcal|cal"),
    ("Nm", "newton metre", "newton metres|newton meters|newton-metres", "Nm"),
    ("lb-ft", "foot pound-force", "pound-feet|pound feet|foot-pounds", "lb-ft|lb ft"),
    ("V", "volt", "volts|volt", "V"),
    ("kV", "kilovolt", "kilovolts|kilovolt", "kV"),
    ("A", "ampere", "amperes|amps|ampere|amp", ""),
    ("F", "farad", "farads|farad", ""),
    ("Hz", "hertz", "hertz", "Hz|HZ"),
    ("kHz", "kilohertz", "kilohertz", "kHz"),
    ("MHz", "megahertz", "megahertz", "MHz"),
    ("GHz", "gigahertz", "gigahertz", "GHz"),
    ("B", "byte", "bytes|byte", ""),
    ("KB", "kilobyte", "kilobytes|kilobyte", "KB|kB"),
    ("MB", "megabyte", "megabytes|megabyte", "MB"),
    ("GB", "gigabyte", "gigabytes|gigabyte", "GB"),
    ("TB", "terabyte", "terabytes|terabyte", "TB"),
    ("bit", "bit", "bits|bit", ""),
    ("Mbps", "megabit per second", "megabits per second", "Mbps|Mbit/s|Mb/s"),
    ("Gbps", "gigabit per second", "gigabits per second", "Gbps|Gbit/s|Gb/s"),
    (
        "°C",
        "celsius",
        "degrees celsius|degrees centigrade|degree celsius|celsius",
        "°C|ºC|° C|degC|deg C|C°",
    ),
    (
        "°F",
        "fahrenheit",
        "degrees fahrenheit|degree fahrenheit|fahrenheit",
        "°F|ºF|° F|degF|deg F|F°",
    ),
    ("°", "degree", "degrees|degree", "°|º"),
    ("km²", "square kilometre", "square kilometres|square kilometers|sq km", "km2|km²"),
    ("mi²", "square mile", "square miles|sq miles|sq mi", "mi2|mi²"),
    ("ft²", "square foot", "square feet|square foot|sq ft|sq feet", "ft2|ft²|sqft"),
    ("m²", "square metre", "square metres|square meters|sq m|sq metres", "m2|m²|sqm"),
    ("ha", "hectare", "hectares|hectare", "ha"),
    ("acre", "acre", "acres|acre", ""),
    ("l", "litre", "litres|liters|litre|liter", "L|l|ltr"),
    ("ml", "millilitre", "millilitres|milliliters|millilitre|milliliter", "ml|mL"),
    ("gal", "gallon", "gallons|gallon", "gal"),
    (
        "bbl/d",
        "barrel per day",
        "barrels per day|barrels a day|barrel-a-day|barrels-a-day",
        "bpd|b/d",
    ),
    ("bbl", "barrel", "barrels|barrel", "bbl"),
    ("s", "second", "seconds|second|secs", "sec"),
    ("min", "minute", "minutes|minute|mins", "min"),
    ("h", "hour", "hours|hour|hrs", "hr"),
    ("d", "day", "days|day", ""),
    ("wk", "week", "weeks|week", ""),
    ("mo", "month", "months|month", ""),
    ("yr", "year", "years|year", "yrs"),
    ("decade", "decade", "decades|decade", ""),
    ("yr-old", "year of age", "year-old|years-old|year old|years old", ""),
    ("pt", "point", "points|point|pts", ""),
    ("USD", "dollar", "dollars|dollar|US dollars", "USD"),
    ("GBX", "penny", "pence", ""),
    ("¢", "cent", "cents|cent", "¢"),
    ("GBP", "pound sterling", "pounds sterling|sterling", "GBP"),
    ("EUR", "euro", "euros|euro", "EUR"),
    ("JPY", "japanese yen", "yen", "JPY"),
    ("CNY", "chinese yuan", "yuan|renminbi", "CNY|RMB"),
    ("INR", "indian rupee", "rupees|rupee", "INR"),
    ("MYR", "malaysian ringgit", "ringgit", "MYR"),
    ("ILS", "israeli new shekel", "shekels|shekel", "ILS"),
    ("ZAR", "south african rand", "rand", "ZAR"),
    ("RUB", "russian ruble", "roubles|rubles|rouble|ruble", "RUB"),
    ("CHF", "swiss franc", "swiss francs", "CHF"),
    ("AUD", "australian dollar", "australian dollars", "AUD"),
    ("CAD", "canadian dollar", "canadian dollars", "CAD"),
    ("HKD", "hong kong dollar", "hong kong dollars", "HKD"),
    ("SGD", "singapore dollar", "singapore dollars", "SGD"),
    ("KRW", "south korean won", "won", "KRW"),
    ("BTC", "bitcoin", "bitcoins|bitcoin", "BTC"),
)

UNITS: dict[str, Unit] = {code: Unit(code, name) for code, name, _, _ in _TABLE}
_BY_WORD: dict[str, str] = {}
_BY_SYMBOL: dict[str, str] = {}
for _code, _name, _words, _symbols in _TABLE:
    for _w in filter(None, _words.split("|")):
        _BY_WORD.setdefault(_w.lower(), _code)
    for _s in filter(None, _symbols.split("|")):
        _BY_SYMBOL.setdefault(_s.replace("\\", ""), _code)

# Currency marks written before the number. "PS" and "Y=" are how an ASCII transliteration
# (unidecode, as many news scrapers apply) renders "£" and "¥"; "S $" / "HK $" appear when a
# tokeniser split "S$" apart before the text was rejoined.
PREFIX_CURRENCY: dict[str, str] = {
    "$": "USD", "US$": "USD", "US $": "USD", "$US": "USD", "USD": "USD", "U.S.$": "USD",
    "£": "GBP", "GBP": "GBP", "PS": "GBP", "€": "EUR", "EUR": "EUR", "¥": "JPY", "Y=": "JPY",
    "JPY": "JPY", "A$": "AUD", "$A": "AUD", "AU$": "AUD", "AUD": "AUD", "C$": "CAD",
    "CA$": "CAD", "CAD": "CAD", "HK$": "HKD", "HK $": "HKD", "S$": "SGD", "S $": "SGD",
    "SGD": "SGD", "NZ$": "NZD", "NZ $": "NZD", "RM": "MYR", "Rs": "INR", "Rs.": "INR",
    "₹": "INR", "INR": "INR", "₩": "KRW", "₽": "RUB", "R$": "BRL", "CHF": "CHF", "Fr.": "CHF",
    "₪": "ILS", "RMB": "CNY", "CNY": "CNY", "¥RMB": "CNY", "₿": "BTC",
}  # fmt: skip
UNITS.update(
    {
        "NZD": Unit("NZD", "new zealand dollar"),
        "BRL": Unit("BRL", "brazilian real"),
        "G": Unit("G", "generation wireless"),
    }
)
CURRENCIES = frozenset(PREFIX_CURRENCY.values()) | {"ZAR", "ILS", "RUB", "KRW", "GBX", "¢"}
TIME_UNITS = frozenset({"s", "min", "h", "d", "wk", "mo", "yr", "decade"})


def _alternation(forms: list[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


# A word unit must end at a word boundary; a symbol may be glued to the number ("6kW", "64GB").
_WORD_RE = re.compile(
    r"[ \u00a0\u202f-]?(?P<u>(?i:" + _alternation(list(_BY_WORD)) + r"))(?![\w-])"
)
_SYMBOL_RE = re.compile(r"[ -]?(?P<u>" + _alternation(list(_BY_SYMBOL)) + r")(?![\w])")
_PREFIX_RE = re.compile(r"(?P<c>" + _alternation(list(PREFIX_CURRENCY)) + r") ?$")
_RATE_RE = re.compile(
    r" ?(?:per|an?|/|every) ?(?P<per>(?i:second|minute|hour|day|week|month|year|annum|"
    r"gram|kilogram|kg|ounce|barrel|litre|liter|gallon|tonne|share|person|head|capita|"
    r"sq m|sq ft|square metre|square foot|mile|km|night|kWh|unit))\b"
)
_PER = {
    "second": "s", "minute": "min", "hour": "h", "day": "d", "week": "wk", "month": "mo",
    "year": "yr", "annum": "yr", "gram": "g", "kilogram": "kg", "kg": "kg", "ounce": "oz",
    "barrel": "bbl", "litre": "l", "liter": "l", "gallon": "gal", "tonne": "t", "sq m": "m²",
    "square metre": "m²", "sq ft": "ft²", "square foot": "ft²", "mile": "mi", "km": "km",
    "kwh": "kWh",
}  # fmt: skip


def unit_after(text: str, pos: int) -> tuple[str, int] | None:
    """The unit code written at ``text[pos:]`` (after a number) and where it ends, if any."""
    best: tuple[str, int] | None = None
    m = _SYMBOL_RE.match(text, pos)
    if m:
        best = (_BY_SYMBOL[m.group("u")], m.end())
    w = _WORD_RE.match(text, pos)
    if w and (best is None or w.end() > best[1]):
        best = (_BY_WORD[w.group("u").lower()], w.end())
    return best


def rate_after(text: str, pos: int) -> tuple[str, str, int] | None:
    """A "per day" / "a barrel" / "/kg" denominator at ``text[pos:]``: (code, name, end)."""
    m = _RATE_RE.match(text, pos)
    if not m:
        return None
    word = m.group("per").lower()
    code = _PER.get(word)
    if code is None:
        return word, word, m.end()
    return code, UNITS[code].name, m.end()


def currency_before(text: str, pos: int) -> tuple[str, int] | None:
    """The currency code written just before ``text[pos]`` and where that mark starts."""
    window_start = max(0, pos - 6)
    m = _PREFIX_RE.search(text, window_start, pos)
    if not m:
        return None
    mark = m.group("c")
    start = m.start("c")
    # "RM", "PS", "Rs", "USD" are letters: they must not be the tail of a longer word
    if mark[0].isalpha() and start > 0 and text[start - 1].isalnum():
        return None
    if mark in ("PS", "RM", "Y=", "Rs") and m.end() != pos:
        return None  # the transliterated and short marks are glued to the number
    return PREFIX_CURRENCY[mark], start


def unit_name(code: str | None) -> str | None:
    """The long name of a unit code ("km" → "kilometre"); compound codes ("USD/bbl") join
    their parts with "per"; unknown codes are returned as they are."""
    if code is None:
        return None
    if code in UNITS:
        return UNITS[code].name
    if "/" in code and code not in ("km/h", "m/s", "bbl/d"):
        head, _, tail = code.partition("/")
        return f"{unit_name(head)} per {unit_name(tail)}"
    return code
