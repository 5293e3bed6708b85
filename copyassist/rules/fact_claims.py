"""Finding the checkable claims (figures, labels, model names) in a text: ``extract_claims``.

The facts guard (``copyassist.rules.facts``) reads the copy and the product data with it alike.

Claims, matched in this order (a match hides its text from the later kinds):
energy class (``classe énergétique A``) and IP ratings (``IP68``); labels: CE, NF, GOTS, OEKO-TEX,
Ecolabel, FSC, PEFC, organic (bio / biologique / organic / AB are one label), Fairtrade, RoHS, GRS,
bluesign, Label Rouge, Origine France Garantie, made in France; prices (``149,90 €``, ``€149.90``:
only the product's ``price`` in its ``currency``, or a price written in the data, so ``150 €``
for 149.90 is flagged); dimensions (``30 x 20 x 10 cm``: each side must be a length in the data);
a number with a unit, also spelled out (``deux ans``; ``un``/``one`` only before months/years);
model names and codes, tokens with letters and digits (``S2``, ``KRS-S2-BLK``; hyphens ignored;
any run of hyphen-parts of a code in the data is supported); then ordinals, multipliers and bare
numbers (``3 modes``, ``2x``, ``depuis 1920``), supported when the value is written anywhere in
the data, whatever its unit. Years are claims (``since 1920`` is flagged unless in the data);
list markers at a line start (``1.``, ``2)``) are not.

Normalisation: NFKC (``m²`` = ``m2``), all spaces, the multiplication sign, double prime = ``"``,
HTML tags and entities, case, decimal commas, ``5 000`` thousands (``5,000`` is 5000 in English
copy, 5 in French copy, both in the data), unit spellings, synonyms and plurals (table below).
Conversions only where exact within one metric scale: mm/cm/m/km, mg/g/kg, ml/cl/l, mW/W/kW,
Wh/kWh, mAh/Ah, Hz..GHz, s/min/h/day/week (``10 jours`` supports ``240 h``), month/year. Never
across kinds: ``50 m`` is not ``5 ATM``, nor is ``5 bar``; inches are not cm, miles not km, °F
not °C, Go not Mo. ``°`` alone and ``degrés`` mean °C. ``"`` after a number is an inch mark unless it closes a
quotation (odd count of ``"`` before it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from copyassist.rules import facts_languages
from copyassist.rules.facts_text import prepare as _prepare

__all__ = [
    "AFTER_NUMBER",
    "NUMBER",
    "UNITS",
    "Claim",
    "ClaimKind",
    "claim_key",
    "extract_claims",
    "parse_number",
    "scan",
]

ClaimKind = Literal["energy_class", "rating", "label", "price", "dimension", "quantity", "code", "number"]


@dataclass(frozen=True)
class Claim:
    """One checkable claim. ``text`` is as written; ``start``/``end`` index the (NFC) text.

    ``keys`` are canonical forms the data must all support (one per side for a dimension):
    ``quantity:mass:38000`` (base units: mm, mg, ml, s, mW...), ``label:gots``, ``code:s2``,
    ``number:1920``. ``values`` are the figures as written, before unit conversion."""

    kind: ClaimKind
    text: str
    keys: tuple[str, ...]
    start: int
    end: int
    values: tuple[Decimal, ...] = ()


#: Units: ``dimension factor=pattern ; factor=pattern...``, the factor to the dimension's base
#: unit (mm, mg, ml, s, mW...). Compound units first; ``(?-i:...)`` spellings are case-sensitive.
_UNIT_TABLE = r"""
grammage 1=g/m2|g/m\^2|gsm
speed 1=km/h|kmh
rpm 1=tr/min|rpm
energy 1000=kwh ; 1=wh
charge 1=mah ; 1000=ah
area 10000=m2|m[eè]tres? carr[ée]s?|square met(?:er|re)s? ; 1=cm2
length 1=mm|millim[eè]tres?|millimet(?:er|re)s? ; 10=cm|centim[eè]tres?|centimet(?:er|re)s?
length 1000000=km|kilom[eè]tres?|kilomet(?:er|re)s? ; 1000=m|m[eè]tres?|met(?:er|re)s?
inch 1="|''|pouces?|inch(?:es)?
mile 1=miles?
mass 1=mg|milligrammes?|milligrams? ; 1000000=kg|kilos?|kilogrammes?|kilograms?
mass 1000=(?-i:g)|gr|grammes?|grams?
pound 1=lbs?
ounce 1=oz|onces?|ounces?
volume 1=ml|millilit(?:re|er)s? ; 10=cl|centilit(?:re|er)s? ; 1000=l|lit(?:re|er)s?|ltr
time 1=(?-i:s)|sec|secondes?|seconds? ; 60=min|minutes? ; 3600=h|hrs?|heures?|hours?
time 86400=j|jours?|days? ; 604800=semaines?|weeks?
months 1=mois|months? ; 12=ans?|ann[ée]es?|years?|yrs?
fahrenheit 1=°f|degr[ée]s? fahrenheit|degrees? fahrenheit|fahrenheit
celsius 1=°c|°|degr[ée]s?(?: celsius)?|degrees?(?: celsius)?|celsius
atm 1=atm
bar 1=bars?
percent 1=%|pour ?cent|per ?cent
power 1=mw|milliwatts? ; 1000000=kw|kilowatts? ; 1000=w|watts?
voltage 1=v|volts?
current 1=ma ; 1000=(?-i:A)|amp[eè]res?|amps?
frequency 1000=khz ; 1000000=mhz ; 1000000000=ghz ; 1=hz|hertz
decibel 1=db
lumen 1=lm|lumens?
lux 1=lux
kelvin 1=(?-i:K)|kelvins?
terabyte 1=(?-i:To|TB)
gigabyte 1=(?-i:Go|GB)
megabyte 1=(?-i:Mo|MB)
price-EUR 1=€|eur|euros?
price-USD 1=\$|usd|dollars?
price-GBP 1=£|gbp|livres? sterling
price-CHF 1=chf|francs? suisses?
"""
UNITS: tuple[tuple[str, str, str], ...] = tuple(
    (pattern, line.partition(" ")[0], factor)
    for line in (_UNIT_TABLE.strip() + "\n" + facts_languages.UNIT_TABLE.strip()).splitlines()
    for factor, _, pattern in (unit.partition("=") for unit in line.partition(" ")[2].split(" ; "))
)
_WORDS = {"un": 1, "une": 1, "one": 1, "deux": 2, "two": 2, "trois": 3, "three": 3, "quatre": 4}
_WORDS |= {"four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8, "eight": 8}
_WORDS |= {"nine": 9, "dix": 10, "ten": 10, "onze": 11, "eleven": 11, "douze": 12, "twelve": 12}
_WORDS |= {"quinze": 15, "fifteen": 15, "vingt": 20, "twenty": 20, "trente": 30, "thirty": 30}
_LABELS = {"CE": r"(?-i:\bCE\b)", "NF": r"(?-i:\bNF\b)", "GOTS": r"\bGOTS\b", "FSC": r"\bFSC\b"}
_LABELS |= {"OEKO-TEX": r"\b(?:oeko|öko|oko)[- ]?tex\b", "Ecolabel": r"\b(?:eu[- ])?[ée]co[- ]?label\b"}
_LABELS |= {"organic": r"\b(?:bio|biologiques?|organic|(?-i:AB))\b(?!-)", "PEFC": r"\bPEFC\b"}
_LABELS |= {"Fairtrade": r"\b(?:fair ?trade|commerce [ée]quitable|max havelaar)\b", "RoHS": r"\bRoHS\b"}
_LABELS |= {"GRS": r"\bGRS\b", "bluesign": r"\bbluesign\b", "Label Rouge": r"\blabel rouge\b"}
_LABELS |= {"Origine France Garantie": r"\borigine france garantie\b"}
_LABELS |= {"made in France": r"\b(?:made in france|(?:fabriqu|produit)[ée]?e?s? en france)\b"}

_I = re.IGNORECASE
NUMBER = r"\d{1,3}(?:[ ,]\d{3})+(?!\d)(?:[.,]\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+|(?![\d.,]))|\d+(?:[.,]\d+)?"
_SIGNED = rf"(?:(?<![\w.,-])(?P<neg>-)|(?<![\w.,]))(?P<num>{NUMBER})"
_UNIT = "|".join(f"(?:{pattern})" for pattern, _, _ in UNITS)
_LENGTH = "|".join(f"(?:{pattern})" for pattern, dim, _ in UNITS if dim in ("length", "inch"))
_SIDE = rf"({NUMBER})(?: ?({_LENGTH})(?![\w']))?"
_ENERGY = (
    r"(?:energy(?: efficiency)? (?:class|rating|label)|classe (?:d'efficacit[ée] )?[ée]nerg[ée]tique"
    r"|classe [ée]nergie|[ée]tiquette [ée]nergie|efficacit[ée] [ée]nerg[ée]tique) ?:? ?"
    r"(?P<cls>[A-G]\+{0,3})(?![\w+])"
)
_LABEL = "|".join(f"(?P<label{index}>{pattern})" for index, pattern in enumerate(_LABELS.values()))
# not a part of a code: AB-1234, XY-CE. Every label starts on a word boundary, with one of these
# letters: said first, so the regex leaves most positions at once (the same matches, 7x faster)
_LABEL = rf"(?<!\w-)\b(?=[abcefglmnopröé])(?:{_LABEL})(?!-?\d)"
_WORD = "|".join(_WORDS)
_WORD_INITIALS = "".join(sorted({word[0] for word in _WORDS}))  # the first letters a figure may start with

_Hit = tuple[ClaimKind, tuple[str, ...], tuple[Decimal, ...]]  # kind, keys, values
_Handler = Callable[[re.Match[str], str], _Hit | None]
_Found = tuple[ClaimKind, int, int, tuple[str, ...], tuple[Decimal, ...]]


def parse_number(raw: str, language: str) -> Decimal:
    """``4,2`` -> 4.2; ``5 000`` -> 5000; ``5,000`` -> 5000 in English, 5 otherwise."""
    raw = raw.replace(" ", "")
    if raw.lower() in _WORDS:
        return Decimal(_WORDS[raw.lower()])
    if "," in raw and "." in raw:
        comma_last = raw.rfind(",") > raw.rfind(".")
        raw = raw.replace(".", "").replace(",", ".") if comma_last else raw.replace(",", "")
    elif raw.count(",") > 1:
        raw = raw.replace(",", "")
    elif raw.count(".") > 1:  # 1.234.567: dots between thousands, whatever the language
        raw = raw.replace(".", "")
    elif language == facts_languages.DOT_THOUSANDS and (whole := facts_languages.dot_thousands(raw)):
        raw = whole
    elif "," in raw:
        head, tail = raw.split(",")
        raw = head + tail if language == "en" and len(tail) == 3 else f"{head}.{tail}"
    return Decimal(raw)


def claim_key(dimension: str, value: Decimal) -> str:
    return f"{dimension}:{format(value.normalize(), 'f')}"


@lru_cache(maxsize=512)
def _unit(written: str) -> tuple[str, Decimal]:
    """``litres`` -> ``("quantity:volume", 1000)``: the dimension key and the factor to its base."""
    for pattern, dimension, factor in UNITS:
        if re.fullmatch(pattern, written, _I):
            return f"quantity:{dimension}", Decimal(factor)
    raise ValueError(written)  # pragma: no cover - every unit the regex matches is listed


def _closes_quote(match: re.Match[str], unit: str) -> bool:
    return unit == '"' and match.string.count('"', 0, match.start()) % 2 == 1


def _mark(match: re.Match[str], language: str) -> _Hit:
    if match["cls"]:
        return "energy_class", (f"energy:{match['cls'].upper()}",), ()
    return "rating", (f"rating:IP{match['code'].upper()}",), ()


def _label(match: re.Match[str], language: str) -> _Hit | None:
    name = list(_LABELS)[int(str(match.lastgroup).removeprefix("label"))]
    letters = [char for char in match.string if char.isalpha()]
    if name == "CE" and len(letters) >= 8 and sum(c.isupper() for c in letters) > len(letters) / 2:
        return None  # "CE PRODUIT": in shouted text capitals are no sign of the CE mark
    return "label", (f"label:{name.lower()}",), ()


def _dimension(match: re.Match[str], language: str) -> _Hit | None:
    sides = [(match.group(i), match.group(i + 1)) for i in (1, 3, 5) if match.group(i)]
    unit = sides[-1][1]
    if unit is None or _closes_quote(match, unit):
        return None  # "2 x 200 g" is a count and a weight, not dimensions
    values = tuple(parse_number(number, language) for number, _ in sides)
    keys = []
    for (_, side_unit), value in zip(sides, values, strict=True):
        dimension, factor = _unit(side_unit or unit)
        keys.append(claim_key(dimension, value * factor))
    return "dimension", tuple(keys), values


def _quantity(match: re.Match[str], language: str) -> _Hit | None:
    groups = match.groupdict()
    dimension, factor = _unit(match["unit"])
    word = (groups.get("word") or "").lower()
    value = parse_number(match["num"] or word, language) * (-1 if groups.get("neg") else 1)
    if (
        _closes_quote(match, match["unit"])
        or (word in ("un", "une", "one") and "months" not in dimension)  # "un jour": not a figure
        or ("kelvin" in dimension and value < 1000)  # "4K" is a resolution, read as a code
    ):
        return None
    return "price" if "price-" in dimension else "quantity", (claim_key(dimension, value * factor),), (value,)


def _code(match: re.Match[str], language: str) -> _Hit:
    return "code", ("code:" + match.group().lower().replace("-", ""),), ()


def _count(match: re.Match[str], language: str) -> _Hit:
    groups = match.groupdict()
    value = parse_number(groups.get("times") or match["num"], language) * (-1 if groups.get("neg") else 1)
    return "number", (claim_key("number", value),), (value,)


AFTER_NUMBER = r"(?!\w|[.,]\d)"
_ORDINALS = "er|re|ère|ème|eme|e|nd|st|rd|th"
#: The extractor's passes, in order; each match hides its text from the later passes. Each
#: starts with a lookahead for the characters a match can begin with (the same matches: most
#: positions of a text are left at once).
_PASSES: tuple[tuple[re.Pattern[str], _Handler], ...] = (
    (re.compile(rf"(?=[ceéi])(?:{_ENERGY}|(?<!\w)IP ?(?P<code>[0-6X][0-9X]K?)(?!\w))", _I), _mark),
    (re.compile(_LABEL, _I), _label),
    (
        re.compile(
            rf"(?=[€$£EUGC])(?P<unit>€|\$|£|(?-i:EUR|USD|GBP|CHF)) ?(?P<num>{NUMBER})(?!\w|[.,]\d)", _I
        ),
        _quantity,
    ),
    (re.compile(rf"(?=\d)(?<![\w.,]){_SIDE} ?x ?{_SIDE}(?: ?x ?{_SIDE})?", _I), _dimension),
    (
        re.compile(
            rf"(?=[\d{_WORD_INITIALS}-])(?:{_SIGNED}|(?<!\w)(?P<word>{_WORD})(?=[ -]))"
            rf" ?-? ?(?P<unit>{_UNIT})(?![\w'])",
            _I,
        ),
        _quantity,
    ),
    (
        re.compile(
            rf"(?=[\dx])(?<![\w.,])(?:(?P<num>\d+)(?: ?x|{_ORDINALS})|x ?(?P<times>\d+)){AFTER_NUMBER}",
            _I,
        ),
        _count,
    ),
    (re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[^\W_]+(?:-[^\W_]+)*(?![\w-])"), _code),
    (re.compile(rf"(?=[\d-]){_SIGNED}{AFTER_NUMBER}"), _count),
)
_LIST_MARKER = re.compile(r"(?m)^ ?\d{1,2}[.)](?= )")


def scan(text: str, language: str) -> list[_Found]:
    """The claims in normalised ``text``. List markers ("1. " at a line start) are hidden first."""
    current = _LIST_MARKER.sub(_hidden, text)
    found: list[_Found] = []
    for pattern, handler in _PASSES:
        spans: list[tuple[int, int]] = []
        for match in pattern.finditer(current):
            hit = handler(match, language)
            if hit is not None:
                found.append((hit[0], match.start(), match.end(), hit[1], hit[2]))
                spans.append(match.span())
        if spans:  # a match hides its text from the later passes
            pieces, last = [], 0
            for start, end in spans:
                pieces += [current[last:start], "\x00" * (end - start)]
                last = end
            current = "".join([*pieces, current[last:]])
    return sorted(found, key=lambda item: item[1])


def _hidden(match: re.Match[str]) -> str:
    return "\x00" * (match.end() - match.start())


def extract_claims(text: str, language: str | None = None) -> list[Claim]:
    """Every checkable claim in ``text`` (see the module docstring), in reading order."""
    return list(_claims(text, facts_languages.reading(language)))


@lru_cache(maxsize=1024)
def _claims(text: str, language: str) -> tuple[Claim, ...]:
    """Cached: the guard and the unit check read each field more than once."""
    source, normalised, spans = _prepare(text)
    claims = []
    for kind, start, end, keys, values in scan(normalised, language):
        first, last = spans[start][0], spans[end - 1][1]
        claims.append(Claim(kind, source[first:last], keys, first, last, values))
    return tuple(claims)
