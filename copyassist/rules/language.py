"""Copy in the wrong language: ``language.mismatch`` (error), with py3langid.

py3langid's naive Bayes model ships inside the package (no download). Product titles are hard
for it: few words, and many are brand names, model numbers and English tech words that French
sellers keep ("Montre connectée Kairos S2 GPS AMOLED"). So, before classifying, the text loses
HTML tags, URLs, the brand and the known words, tokens holding a digit and all-capital tokens;
what is left must still hold at least :data:`MIN_WORDS` words, or nothing is said.

The candidates are a handful of European languages (:data:`CANDIDATES`, plus the language asked
for) and the identifier normalises its scores into probabilities. The copy is flagged only when
another language is clearly ahead, with thresholds that depend on length (:data:`LONG_WORDS`):

- short text (4 to 11 words left): the other language at least 0.97, the asked one at most 0.01;
- long text (12 words or more): the other language at least 0.80, the asked one at most 0.05;
- and never when the text holds two or more function words of the asked language
  (:data:`MARKERS`: "et", "pour", "avec", "vos"...; "the", "and", "with"...).

How they were picked (py3langid 0.4, 104 French and English titles, bullets and descriptions
written like real listings, 33 of them French titles full of English words: "Trench coat femme
long oversize beige", "Jeu Nintendo Switch The Legend of Zelda Tears of the Kingdom"). Copy in the
asked language: short French titles went as far as 0.92 English with 0.012 French, an 11-word
one 0.83 English with 0.005 French; long texts stayed at 0.11 or more for the asked language, or
had three French function words. None is flagged. Copy in the wrong language: descriptions score
1.00 against 0.00 and are all caught; English titles checked as French were caught 25 times out
of 36, French titles checked as English 20 out of 67 (franglais titles are English to any model).
The misses are the price of never failing a good French title.

German, Spanish and Italian copy (``copyassist.languages``) is judged the same way, with
function words of their own in :data:`MARKERS`. On 10 titles, bullets and descriptions written in
each (franglais-style titles included: "Gaming Maus RGB kabellos 16000 DPI"), none was flagged
when asked in its own language; of the 34 texts in the four other languages, 24 to 27 were
caught for each, the long ones all but one (the misses are short titles, as above). English
copy, the likeliest slip (German is asked from the English body), was caught 7 times out of 8.

Short fields the model cannot judge (fewer than :data:`LONG_WORDS` words, "Randa 2-Person
Backpacking Tent"), French against English only, get a vocabulary test (:func:`short_mismatch`):
each word is scored alone, French against English; the field is in the other language when no
word of it is clearly in the asked one (no function word, no word scored :data:`WORD_SURE` or
more), a third at least of its words are clearly in the other, and twice as many as its other
words found in the product data (a French product's data shares words with a French title,
even a franglais one: "Sac banane" of "Sac banane running ultra light waterproof"). A brand,
a product name and international words ("Smartphone Pack Premium Design", scored 0.5 to 0.7
either way) tell nothing, so such titles are never flagged; without product data, nothing is said.
"""

from __future__ import annotations

import copy
import importlib
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from copyassist.i18n import language_code
from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.leftovers import data_text_without
from copyassist.rules.text import visible_text

RULE = "language.mismatch"

#: The languages a copy is compared with, besides the one asked for.
CANDIDATES = ("fr", "en", "de", "es", "it", "nl", "pt")
#: Fewer words than this (after cleaning) and the text is not judged.
MIN_WORDS = 4
#: From this many words on, a text is "long" and the looser thresholds apply.
LONG_WORDS = 12
#: (another language at least, the asked language at most), for short and for long texts.
SHORT_THRESHOLDS = (0.97, 0.01)
LONG_THRESHOLDS = (0.80, 0.05)
#: This many function words of the asked language and the text is taken to be in it.
MARKERS_NEEDED = 2
#: Function words that tell French from English (and from the other candidates) at a glance.
MARKERS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "le les des du et pour avec vos votre nos notre une dans sur au aux cette ces qui est "  # noqa: SIM905
        "sont très à sans leur chaque grâce l' d' qu'".split()
    ),
    "en": frozenset(
        "the and with for your of to is are this that from our its it's you each into without".split()  # noqa: SIM905
    ),
    # German, Spanish and Italian copy (copyassist.languages): words none of the others writes
    "de": frozenset(
        "der die das und mit für ist sind ein eine einen dem den des auf bei aus von sich nicht ihr ihre "  # noqa: SIM905
        "ihren jeder jede durch ohne oder auch".split()
    ),
    "es": frozenset(
        "el los las y con para es son una del al por que su sus sin cada este esta muy".split()  # noqa: SIM905
    ),
    "it": frozenset(
        "il gli e con per è sono uno una della dei delle nel nella che suo sua senza ogni questo "  # noqa: SIM905
        "questa".split()
    ),
}

#: A word scored alone, French against English, is clearly in one of them from this odds on.
WORD_SURE = 0.85
#: The two languages the vocabulary test of short fields tells apart.
_PAIR = ("fr", "en")

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


_LOADING = threading.Lock()  # a batch warms the model in a thread while its first calls go out


def _model() -> Any:
    """py3langid's bundled model, scoring with normalised probabilities, all languages, loaded
    once however many threads ask at the same time (:func:`warm_in_background`)."""
    with _LOADING:
        return _loaded_model()


@lru_cache(maxsize=1)
def _loaded_model() -> Any:
    """``LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)``; py3langid ships no
    type hints, hence ``Any`` (and the import by name keeps mypy out of it)."""
    langid = importlib.import_module("py3langid.langid")
    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def warm_in_background() -> None:
    """Load the model (half a second, 85 MB) in a thread: the first checks find it ready, and
    the first requests do not wait for it."""
    threading.Thread(target=known_languages, name="copyassist-langid", daemon=True).start()


@lru_cache(maxsize=1)
def known_languages() -> frozenset[str]:
    """The ISO 639-1 codes the model knows."""
    return frozenset(str(code) for code in _model().labels)


@lru_cache(maxsize=16)
def _identifier(languages: tuple[str, ...]) -> Any:
    """The model restricted to ``languages`` (``set_languages``), on a shallow copy: the
    restriction replaces the copy's arrays and leaves the shared model alone."""
    identifier = copy.copy(_model())
    identifier.set_languages(list(languages))
    return identifier


def clean_text(text: str, ignore: tuple[str, ...] = ()) -> str:
    """The words of ``text`` a language can be told from: no markup, URLs, names in ``ignore``,
    tokens with digits or all-capital tokens (model names, acronyms), unless all is capitals."""
    plain = _URL.sub(" ", visible_text(text))
    if plain.isupper():  # a title in capitals: its words still count
        plain = plain.lower()
    for name in sorted((n for n in ignore if n and n.strip()), key=len, reverse=True):
        plain = re.sub(rf"(?<!\w){re.escape(name.strip())}(?!\w)", " ", plain, flags=re.IGNORECASE)
    words = [
        token
        for token in _TOKEN.findall(plain)
        if not any(ch.isdigit() for ch in token) and not (token.isupper() and len(token) > 1)
    ]
    return " ".join(words)


def language_scores(text: str, languages: tuple[str, ...] = CANDIDATES) -> list[tuple[str, float]]:
    """The normalised probability of each of ``languages`` for ``text`` as it is, best first."""
    usable = tuple(sorted(set(languages) & known_languages()))
    ranked: list[tuple[str, float]] = _identifier(usable).rank(text)
    return [(str(code), float(score)) for code, score in ranked]


def marker_count(text: str, language: str) -> int:
    """How many of ``text``'s words are function words of ``language`` (:data:`MARKERS`)."""
    markers = MARKERS.get(language)
    if not markers:
        return 0
    words = re.findall(r"[^\W_]+'?", text.lower().replace("’", "'"))
    return sum(1 for word in words if word in markers)


@dataclass(frozen=True)
class Detection:
    """What the check saw: the cleaned words, the leading language and the asked one's odds."""

    words: int
    best: str
    best_score: float
    asked: str
    asked_score: float
    markers: int  # function words of the asked language

    @property
    def mismatch(self) -> bool:
        if self.best == self.asked or self.words < MIN_WORDS or self.markers >= MARKERS_NEEDED:
            return False
        least_other, most_asked = LONG_THRESHOLDS if self.words >= LONG_WORDS else SHORT_THRESHOLDS
        return self.best_score >= least_other and self.asked_score <= most_asked


def detect_language(text: str, expected: str, ignore: tuple[str, ...] = ()) -> Detection | None:
    """How ``text`` scores against ``expected``, or None when it holds too few words to judge
    or ``expected`` is a language the model does not know."""
    if expected not in known_languages():
        return None
    cleaned = clean_text(text, ignore)
    words = len(cleaned.split())
    if words < MIN_WORDS:
        return None
    return _detection(cleaned, words, expected)


def _detection(cleaned: str, words: int, expected: str) -> Detection:
    scores = language_scores(cleaned, (*CANDIDATES, expected))
    best, best_score = scores[0]
    return Detection(
        words, best, best_score, expected, dict(scores)[expected], marker_count(cleaned, expected)
    )


@lru_cache(maxsize=4096)
def _word_language(word: str) -> tuple[str, float]:
    best, score = language_scores(word, _PAIR)[0]
    return best, score


def short_mismatch(text: str, expected: str, ignore: tuple[str, ...] = (), data: str = "") -> str | None:
    """The other language of :data:`_PAIR` a short field is written in, by its vocabulary, or
    None (see the module's note). ``data``: the product data's text (none: nothing is said)."""
    if expected not in _PAIR:
        return None
    other = _PAIR[1 - _PAIR.index(expected)]
    cleaned = clean_text(re.sub(r"(?<=\d)-(?=[^\W\d_])", " ", text), ignore)  # "2-Person": "Person"
    tokens = [w for w in cleaned.split() if len(w) > 2 or w.lower() in MARKERS[other]]
    if not 2 <= len(tokens) < LONG_WORDS or marker_count(cleaned, expected):
        return None
    sure = [_word_language(w.lower()) for w in tokens]
    if any(lang == expected and score >= WORD_SURE for lang, score in sure):
        return None
    data_words = set(re.findall(r"[^\W\d_]+", data.casefold()))
    if not data_words:
        return None
    clear = [
        w.lower() in MARKERS[other] or (lang == other and score >= WORD_SURE)
        for w, (lang, score) in zip(tokens, sure, strict=True)
    ]
    foreign = sum(clear)
    # Words of the data (a product name, a franglais title's) speak for the asked language,
    # unless they are clearly of the other one themselves ("Running" in an English category).
    kept = sum(
        1 for w, is_other in zip(tokens, clear, strict=True) if not is_other and w.casefold() in data_words
    )
    return other if foreign and foreign >= 2 * kept and foreign * 3 >= len(tokens) else None


def check_language(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``language.mismatch`` (error): the copy is clearly in another language than the one asked."""
    expected = language_code(context.language)
    if expected is None:
        return []
    ignore = tuple(n for n in (context.brand, *context.known_words) if n)
    cleaned = clean_text(text, ignore) if expected in known_languages() else ""
    words = len(cleaned.split())
    judged = words >= MIN_WORDS  # what detect_language judges
    # with enough function words of the asked language the text is in it (Detection.mismatch),
    # whatever the model would say: no need to ask it
    if judged and marker_count(cleaned, expected) < MARKERS_NEEDED:
        found = _detection(cleaned, words, expected)
        if found.mismatch:
            message = f"written in {found.best} ({found.best_score:.0%} likely), not in {expected} as asked"
            return [Violation(RULE, "error", field, message, text[:80])]
    if judged and words >= LONG_WORDS:
        return []
    data = data_text_without(context, text)
    other = short_mismatch(text, expected, ignore, data)
    if other is None:
        return []
    message = f"written in {other} (its words are {other}, none is {expected}), not in {expected} as asked"
    return [Violation(RULE, "error", field, message, text[:80])]
