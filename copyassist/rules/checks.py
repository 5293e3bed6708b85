"""Per-field checks: small functions that read one piece of copy and say what is wrong with it.

Every check has the :data:`~copyassist.rules.base.Check` signature, does nothing when its rule
is unset, and returns violations as values: none raises for bad copy. Text checks read the copy
as a person sees it (tags stripped, entities unescaped, see
:func:`~copyassist.rules.text.visible_text`) and compare words without case or accents
(:func:`~copyassist.rules.text.fold`); the ``html.*`` checks (:mod:`copyassist.rules.markup`)
read the markup itself. Word lists (promotional phrases, acronyms, stop words) are data, read by
:mod:`copyassist.rules.wordlists`, so a user's file of the same name adds to them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable
from functools import lru_cache

from copyassist.i18n import language_code
from copyassist.rules.base import Check, CheckContext, FieldRules, Severity, Violation
from copyassist.rules.leftovers import data_texts
from copyassist.rules.markup import (
    check_html_links,
    check_html_script,
    check_html_tags,
    check_no_html,
)
from copyassist.rules.markup import sanitize_html as sanitize_html  # its home before rules.markup
from copyassist.rules.text import (
    count_chars,
    count_words,
    find_folded,
    fold,
    visible_text,
)
from copyassist.rules.wordlists import PhraseMatcher, list_names, load_list, load_lists, matcher, words

_APOSTROPHES = "'\u2019\u2018\u02bc"


def _find(pattern: re.Pattern[str], text: str) -> list[str]:
    """Distinct matches of ``pattern`` (written for folded text), as spelled in ``text``."""
    return list(dict.fromkeys(hit.phrase for hit in find_folded(pattern, text)))


def _each(
    rule: str, field: str, found: Iterable[str], message: str, severity: Severity = "error"
) -> list[Violation]:
    """One violation per item found; ``message`` is formatted with the item."""
    return [Violation(rule, severity, field, message.format(item), item) for item in found]


# ------------------------------------------------------------------------- length and words


def _limit(rule: str, field: str, n: int, limit: int | None, over: bool, unit: str) -> list[Violation]:
    if limit is None or (n <= limit if over else n >= limit):
        return []
    return [Violation(rule, "error", field, f"{n} {unit}; the {'maximum' if over else 'minimum'} is {limit}")]


def check_max_chars(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    return _limit("length.max_chars", field, count_chars(text), rules.max_chars, True, "characters")


def check_min_chars(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    return _limit("length.min_chars", field, count_chars(text), rules.min_chars, False, "characters")


def check_advised_length(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    n, limit = count_chars(text), rules.advised_max_chars
    if limit is None or n <= limit:
        return []
    return [Violation("length.advised_max_chars", "warning", field, f"{n} characters; {limit} advised")]


def check_word_count(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    if rules.max_words is None and rules.min_words is None:
        return []
    n = count_words(text)
    return _limit("words.max", field, n, rules.max_words, True, "words") or _limit(
        "words.min", field, n, rules.min_words, False, "words"
    )


# ---------------------------------------------------------------------- brand and keywords


def check_brand(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    brand = (context.brand or "").strip()
    if not rules.require_brand or not brand or matcher((brand,)).find(visible_text(text)):
        return []
    return _each("content.brand_missing", field, [brand], "the brand {!r} does not appear")


def _forms(word: str) -> set[str]:
    """``word`` and its simple plural or singular: montre(s), bijou(x), watch(es)."""
    forms = {word, word + "s", word + "x", word + "es"}
    if len(word) > 3 and word[-1] in "sx":
        forms |= {word[:-1]} | ({word[:-2]} if word.endswith("es") else set())
    return forms


def check_keywords(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """A keyword is present when each of its words is, case, accents and simple plurals aside."""
    if not rules.require_keywords:
        return []
    present = set(re.findall(r"[^\W_]+", fold(visible_text(text))))
    missing = [
        keyword
        for keyword in context.keywords
        if not all(_forms(word) & present for word in re.findall(r"[^\W_]+", fold(keyword)))
    ]
    return _each("content.keyword_missing", field, missing, "the keyword {!r} does not appear", "warning")


# ---------------------------------------------------------------------------- title hygiene

#: The languages whose promotional lists apply to all copy (a user's list for the language of
#: the copy is added: ``promotional.de.txt``).
PROMOTIONAL_LANGUAGES = ("fr", "en")
_PERCENT_OFF = re.compile(
    r"(?<![\w-])-\s?\d{1,2}(?:[.,]\d+)?\s?%"  # -20 %, jusqu'a -50%
    r"|(?<!\w)\d{1,2}\s?%\s+(?:off|de\s+(?:reduction|remise|rabais))(?!\w)"  # 30% off, 30 % de remise
)


def promotional_matcher(language: str | None) -> PhraseMatcher:
    """Every promotional list's phrases, less those that ``not-promotional.<language>.txt`` lists
    as ordinary words of the copy's language; the lists' ``!`` exceptions apply."""
    lists = load_lists(list_names("promotional", language, PROMOTIONAL_LANGUAGES))
    code = language_code(language)
    return _promotional(lists, load_list(f"not-promotional.{code}.txt")[0] if code else ())


@lru_cache(maxsize=16)
def _promotional(lists: tuple[tuple[str, ...], tuple[str, ...]], ordinary: tuple[str, ...]) -> PhraseMatcher:
    skipped = {fold(phrase) for phrase in ordinary}
    return matcher(tuple(p for p in lists[0] if fold(p) not in skipped), lists[1])


def check_promotional(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """French and English phrases in any copy, and percent discounts. Phrases listed in
    ``not-promotional.<language>.txt`` are skipped in that language (French "sale" is dirty)."""
    if not rules.no_promotional:
        return []
    plain = visible_text(text)
    phrases = [hit.phrase for hit in promotional_matcher(context.language).find(plain)]
    found = list(dict.fromkeys(phrases)) + _find(_PERCENT_OFF, plain)
    return _each("title.promotional", field, found, "promotional wording {!r} is not allowed")


_NUMBER = r"\d+(?:[ \u00a0\u202f.]\d{3})*(?:[.,]\d{1,2})?"
_PRICE = re.compile(
    rf"[€$£]\s?{_NUMBER}|{_NUMBER}\s?(?:[€$£]|(?:euros?|eur|usd|dollars?|gbp)(?!\w))"
    r"|(?<!\w)(?:prix|price|tarif)(?!\w)(?!\s+tags?\b)|[€$£¥]"  # "without the price tag": a figure of speech
)


#: Prose this many words long uses "price" as a word ("without the price tag"); a title or a
#: bullet that says "prix" talks of the price.
PRICE_WORD_MAX_WORDS = 20
_PRICE_WORDS = frozenset({"prix", "price", "tarif"})


def find_prices(text: str) -> list[str]:
    """Prices, currency symbols and (in short copy) the words prix/price/tarif in ``text``
    (not ``3 x 200 g``)."""
    found = _find(_PRICE, visible_text(text))
    if count_words(text) > PRICE_WORD_MAX_WORDS:
        found = [price for price in found if fold(price) not in _PRICE_WORDS]
    return found


def check_price(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    return _each("title.price", field, find_prices(text), "price or currency {!r}") if rules.no_prices else []


_ROMAN = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
_TOKEN = re.compile(rf"[^\W_]+(?:[-{_APOSTROPHES}][^\W_]+)*")


def _shouted(part: str, allowed: Container[str]) -> bool:
    """An all-capitals word of 3+ letters, not an acronym, a known word or a roman numeral."""
    letters = [c for c in part if c.isalpha()]
    if len(letters) < 3 or not all(c.isupper() for c in letters) or _ROMAN.fullmatch(part):
        return False
    return fold(part) not in allowed and fold(part).strip("0123456789") not in allowed


def _data_capitals(context: CheckContext, copy: str | None) -> set[str]:
    """The words the product data itself writes in capitals (``2.5 TOG``, a model ``KRS``): the
    seller's spelling, not shouting. The copy is no data (``check`` reads a listing as its own)."""
    found = set()
    for value in data_texts(context):
        if copy is not None and value.strip() == copy.strip():
            continue
        for match in _TOKEN.finditer(value):
            letters = [c for c in match.group() if c.isalpha()]
            if letters and all(c.isupper() for c in letters):
                found |= {fold(match.group()), *map(fold, re.split(f"[-{_APOSTROPHES}]", match.group()))}
    return found


def _own_capitals(context: CheckContext, copy: str | None) -> frozenset[str]:
    """The brand, the known words and the data's capitals (less the copy's own text)."""
    names = [*context.known_words, *([context.brand] if context.brand else [])]
    return frozenset(
        {
            *map(fold, names),
            *(w for n in names for w in re.findall(r"[^\W_]+", fold(n))),
            *_data_capitals(context, copy),
        }
    )


class _AnyOf:
    """A word in any of several sets, without copying them into one."""

    def __init__(self, sets: Iterable[frozenset[str]]) -> None:
        self.sets = tuple(sets)

    def __contains__(self, word: object) -> bool:
        return any(word in found for found in self.sets)


def check_all_caps(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    if not rules.no_all_caps:
        return []
    # A known brand is spelled in capitals by its maker (JBL): no shouting; naming another
    # maker's brand is content.competitor_brand's business. "New Balance" is listed whole in
    # the competitors: "NEW" alone still shouts.
    copy = text.strip()
    if any(value.strip() == copy for value in data_texts(context)):
        own = _own_capitals(context, text)
    else:  # the same for every field: worked out once
        own = context.derived("checks.own_capitals", lambda c: _own_capitals(c, None))
    allowed = _AnyOf((words("acronyms.txt"), words("competitors.txt"), own))
    shouted = [
        m.group()
        for m in _TOKEN.finditer(visible_text(text))
        if fold(m.group()) not in allowed
        and any(_shouted(part, allowed) for part in re.split(f"[-{_APOSTROPHES}]", m.group()))
    ]
    return _each("title.all_caps", field, dict.fromkeys(shouted), "{!r} is written in capitals")


_REPEATED_PUNCTUATION = re.compile(r"[!?¡¿]{2,}|\.{4,}|(?<!\.)\.\.(?!\.)|…[….]+|\.+…|,{2,}|;{2,}|:{2,}")


def check_punctuation(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    if not rules.no_repeated_punctuation:
        return []
    runs = dict.fromkeys(m.group() for m in _REPEATED_PUNCTUATION.finditer(visible_text(text)))
    return _each("punctuation.repeated", field, runs, "repeated punctuation {!r}")


_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u231a\u231b\u23e9-\u23fa\U000e0020-\U000e007f]"
)


def check_emoji(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    found = "".join(dict.fromkeys(_EMOJI.findall(visible_text(text)))) if rules.no_emoji else ""
    return _each("emoji", field, [found], "emoji are not allowed: {}") if found else []


def check_forbidden_chars(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    forbidden = rules.forbidden_chars
    found = "".join(dict.fromkeys(c for c in visible_text(text) if c in forbidden)) if forbidden else ""
    return _each("chars.forbidden", field, [found], "forbidden characters: {}") if found else []


def check_repeated_words(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """Words of 3+ letters, stop words aside, used more than ``max_word_repeats`` times."""
    limit = rules.max_word_repeats
    if limit is None:
        return []
    stop_words = words("stopwords.txt")
    folded = (fold(w) for w in re.findall(r"[^\W\d_]+", visible_text(text)))
    counts = Counter(w for w in folded if len(w) > 2 and w not in stop_words)
    return [
        Violation("words.repeated", "error", field, f"{word!r} appears {n} times; at most {limit}", word)
        for word, n in counts.items()
        if n > limit
    ]


# ------------------------------------------------------------------------ links and offer

_TLDS = "com|fr|net|org|io|co|eu|be|ch|lu|de|uk|es|it|shop|store|info|biz|online|site|app|ly|me"
_TLDS += "|boutique|paris|xyz|club|tech|fashion|nl|pt|at|se|ie|us|ca"
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|(?<![\w@.-])[a-z0-9-]*[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,24}/[^\s<>\"']*"  # any name.tld/path
    rf"|(?<![\w@.-])[a-z0-9-]*[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:{_TLDS})(?![\w-])(?:/[^\s<>\"']*)?"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,7}(?!\d)"  # +33 6 12 34 56 78, +1 (555) 123-4567
    r"|(?<![\w+])0[1-9](?:[\s.-]?\d{2}){4}(?!\d)"  # 06 12 34 56 78, 01.23.45.67.89
)


def check_urls(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    if not rules.no_urls:
        return []
    urls = dict.fromkeys(u.rstrip(".,;:!?)") for u in _find(_URL, visible_text(text)))
    return _each("url", field, urls, "web address {!r} is not allowed")


def check_contacts(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    if not rules.no_contacts:
        return []
    plain = visible_text(text)
    phones = [p for p in _find(_PHONE, plain) if 8 <= sum(c.isdigit() for c in p) <= 15]
    return _each("contact", field, phones, "phone number {!r} is not allowed") + _each(
        "contact", field, _find(_EMAIL, plain), "e-mail address {!r} is not allowed"
    )


_OFFER_DATA = {
    "warranty": re.compile(
        r"(?<!\w)(?:garanties?|garanti\s+\d+\s*ans?|warrant(?:y|ies)|guarantees?"
        r"|service\s+apres[\s-]vente|sav|after[\s-]sales?)(?!\w)"
    ),
    "delivery": re.compile(
        r"(?<!\w)(?:livraisons?|expedie(?:e|s|es)?|expedition\s+(?:sous|rapide|gratuite|offerte|immediate|en\s+\d+)"
        r"|frais\s+(?:de\s+port|d'expedition)|deliver(?:y|ies)|shipping|shipped|dispatch(?:ed)?"
        r"|en\s+stock|in\s+stock|retours?\s+gratuits?|free\s+returns?)(?!\w)"
    ),
}


def check_offer_data(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """Warranty, delivery and price belong to the offer, not to the product copy (Cdiscount)."""
    if not rules.no_offer_data:
        return []
    found = {kind: _find(pattern, visible_text(text)) for kind, pattern in _OFFER_DATA.items()}
    found["price"] = find_prices(text)
    return [
        v
        for kind, pieces in found.items()
        for v in _each("offer.data", field, pieces, kind + " {!r} belongs to the offer")
    ]


#: Every per-field check, in the order violations are best read: size, required content, markup,
#: title hygiene, then what must not be in copy at all.
# fmt: off
FIELD_CHECKS: tuple[Check, ...] = (
    check_max_chars, check_min_chars, check_advised_length, check_word_count,
    check_brand, check_keywords,
    check_no_html, check_html_tags, check_html_script, check_html_links,
    check_promotional, check_price, check_all_caps, check_punctuation, check_emoji, check_forbidden_chars,
    check_repeated_words,
    check_urls, check_contacts, check_offer_data,
)
# fmt: on


def check_field(
    field: str, text: str, rules: FieldRules, context: CheckContext, checks: Iterable[Check] = FIELD_CHECKS
) -> list[Violation]:
    """Every violation ``checks`` find in one field, in order."""
    return [violation for check in checks for violation in check(field, text, rules, context)]
