"""Copy that stops mid-sentence: ``text.truncated``.

- error: a line that ends on a word that cannot end a sentence (``et``, ``de``, ``avec``,
  ``the``, ``with``, ``l'``), on a connector (``,``, ``-``, ``&``, ``/``, ``+``, a final ``:``),
  or copy that leaves a bracket or a quotation mark open (``(``, ``[``, ``«``, ``“``). A buyer
  reads it as broken.
- warning: prose that should end on a full stop and does not (a description, an FAQ answer
  of five words or more, unless it ends on a web address, a figure or a price): often a cut
  answer, sometimes only a missing full stop. Lists are not prose: a description that ends
  with a list item, bullets and titles are exempt, and so are meta descriptions, headlines and
  calls to action (kind ``copy``), which often have no final punctuation.

The words are those of the copy's language (``or`` is gold in French, ``an`` a year); with no
language, only the words that are connectors in both.
"""

from __future__ import annotations

import re

from copyassist.i18n import language_code
from copyassist.rules.base import Check, CheckContext, FieldRules, Violation
from copyassist.rules.text import html_to_text, visible_text

RULE_ID = "text.truncated"

_DANGLING = {
    "fr": frozenset(
        "et ou de du des la le les un une à a au aux avec pour par sur sans dans en vers chez entre "  # noqa: SIM905
        "qui que dont mais car ni son sa ses leur leurs votre vos notre nos ce cet cette ces très "
        "d l qu j n s c jusqu lorsqu puisqu comme".split()
    ),
    "en": frozenset(
        "the a an and or of with for to in on by from at into onto your our its their this that "  # noqa: SIM905
        "these those which who whose but nor is are was were be very as than such per lets allows "
        "enables".split()
    ),
    # not the German prefixes a separable verb ends a sentence on ("passt sich jedem Raum an")
    "de": frozenset(
        "und oder der die das den dem des eine einen einem einer für von zum zur im am ohne gegen "  # noqa: SIM905
        "sehr als wie ihr ihre ihren unser unsere sowie dank".split()
    ),
    "es": frozenset(
        "y o de del la el los las un una unos unas con para por sin en al a entre sobre hacia desde "  # noqa: SIM905
        "su sus tu tus nuestro nuestra muy como pero".split()
    ),
    "it": frozenset(
        "e o di del della dei degli delle il lo la gli le un uno una con per da su in nel nella al "  # noqa: SIM905
        "alla tra fra senza suo sua suoi tuo tua nostro nostra molto come ma".split()
    ),
}
#: With no language known: words that are connectors in both (not "or", "an", "a", "on", "son").
_EITHER = frozenset(
    "et de du des la le les avec pour par sur sans dans the and of with for to from your our their".split()  # noqa: SIM905
)
#: The kinds whose text is prose, expected to end on a sentence's final punctuation.
PROSE_KINDS = frozenset({"description", "faq"})
#: Prose shorter than this is a fragment (a brand alone): other rules say what is wrong with it.
MIN_PROSE_WORDS = 5
#: The last word of prose that may end without a full stop: a web address, a figure or a price.
_FIGURE_END = re.compile(r"(?:https?://\S+|www\.\S+|\S*\d\S*(?:\s?[^\W\d_]{1,3})?|[€$£])\s*$")
_FINAL = ".!?…»)]\"”’'*"
_CONNECTOR_END = re.compile(r"(?:[,;&/+]|\s[-–—]|:)\s*$")
_LAST_WORD = re.compile(r"([^\W\d_]+)['’]?\s*$")
_VERB_IT_END = re.compile(
    r"(?i)\b(?:lets|let|makes|helps|allows|keeps|gives|permet|laisse)\s+(?:it|them|you|de|à)\s*$"
)
_AFTER_FIGURE = re.compile(r"(?:^|[\s(x×])\d+(?:[.,]\d+)?\s?$")  # a number, not a model code (S2)
_APOSTROPHE_END = re.compile(r"[^\W\d_]['’]\s*$")
_PAIRS = (("(", ")"), ("[", "]"), ("«", "»"), ("“", "”"))
_LIST_END = re.compile(r"</li>\s*(?:</[ou]l>\s*)*$|(?:^|\n)\s*(?:[-•*▪✓✔]|\d+[.)])\s[^\n]*$", re.I)
_EMOJI_END = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]\\s*$")


def ends_dangling(text: str) -> bool:
    """Whether ``text`` ends on a word no sentence or title ends on, in French or English."""
    return _line_end(text, _DANGLING["fr"] | _DANGLING["en"] - {"or", "an", "a"}, connectors=True) is not None


def _dangling_words(language: str | None) -> frozenset[str]:
    code = language_code(language)
    return _DANGLING[code] | _EITHER if code in _DANGLING else _EITHER


def _line_end(line: str, words: frozenset[str], connectors: bool) -> str | None:
    """What a line ends on that no sentence ends on, or None."""
    line = line.rstrip()
    if not line:
        return None
    if _APOSTROPHE_END.search(line):
        return line.split()[-1]
    match = _LAST_WORD.search(line)
    if (
        match
        and match.group(1).casefold() in words  # accents kept: "sûr" is no "sur"
        and not (len(match.group(1)) == 1 and match.group(1).isupper())  # "Vitamine A", "Classe A"
        and line[match.start() - 1 : match.start()] != "-"  # "Profitez-en", "Offrez-le"
        and not _AFTER_FIGURE.search(line[: match.start()])  # a unit: "1,2 l", "27 in", "5 a"
    ):
        return match.group(1)
    if _VERB_IT_END.search(line):
        return " ".join(line.split()[-2:])
    if connectors and _CONNECTOR_END.search(line):
        return line[-12:].strip()
    return None


def _open_pair(plain: str) -> str | None:
    for opening, closing in _PAIRS:
        if plain.count(opening) > plain.count(closing):
            return opening
    return None


def truncation_check(kind: str | None) -> Check:
    """``text.truncated`` for one kind of field (final punctuation only on :data:`PROSE_KINDS`)."""

    def check_truncated(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
        plain = visible_text(text).strip()
        if not plain:
            return []
        lines = html_to_text(text).splitlines()
        words = _dangling_words(context.language)
        found: list[Violation] = []
        for number, line in enumerate(lines):
            last = number == len(lines) - 1
            end = _line_end(line, words, connectors=last or kind == "bullets")
            if end is not None:
                found.append(Violation(RULE_ID, "error", field, f"ends mid-sentence on {end!r}", end))
        opening = _open_pair(plain)
        if opening is not None:
            found.append(
                Violation(RULE_ID, "error", field, f"{opening!r} is opened and never closed", opening)
            )
        question = field.endswith(".question")
        if (
            not found
            and kind in PROSE_KINDS
            and not question
            and plain[-1] not in _FINAL
            and not _EMOJI_END.search(plain)
            and not _LIST_END.search(text.strip())
            and len(plain.split()) >= MIN_PROSE_WORDS
            and not _FIGURE_END.search(plain)
        ):
            tail = " ".join(plain.split()[-4:])
            found.append(Violation(RULE_ID, "warning", field, f"ends without a full stop: {tail!r}", tail))
        return found

    return check_truncated
