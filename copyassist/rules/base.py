"""What every check shares: violations as values, the rules of one field, and the context.

A check is a small function ``check(text, rules, context) -> list[Violation]``: it reads, it
never raises for bad copy and never calls a model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

Severity = Literal["error", "warning"]
_T = TypeVar("_T")

#: The kinds of field a channel profile can set rules for.
FIELD_KINDS = ("title", "bullets", "description", "seo_title", "meta_description", "faq")


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``rule`` is a stable id (``length.max_chars``, ``facts.unsupported``...);
    ``message`` is one line in English that says what is wrong; ``text`` is the offending part."""

    rule: str
    severity: Severity
    field: str
    message: str
    text: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
            "text": self.text,
        }


@dataclass(frozen=True)
class FieldRules:
    """The rules a channel sets for one kind of field; ``None`` means no rule.

    Limits count characters as a person sees them (after HTML is stripped, for ``description``).
    """

    min_chars: int | None = None
    max_chars: int | None = None
    advised_max_chars: int | None = None  # a warning past it
    min_words: int | None = None
    max_words: int | None = None
    require_brand: bool = False
    require_keywords: bool = False  # the keywords the caller gave must appear
    no_promotional: bool = False
    no_prices: bool = False
    no_all_caps: bool = False
    no_repeated_punctuation: bool = False
    no_emoji: bool = False
    no_html: bool = False
    no_urls: bool = False
    no_contacts: bool = False  # phone numbers and e-mail addresses
    no_offer_data: bool = False  # warranty, delivery, price (Cdiscount)
    forbidden_chars: str = ""
    max_word_repeats: int | None = None
    html_allowed_tags: tuple[str, ...] = ()  # when set, HTML is allowed but only these tags
    html_allow_links: bool = False
    max_items: int | None = None  # bullets, FAQ entries
    min_items: int | None = None


@dataclass(frozen=True)
class Profile:
    """A sales channel's rules: per field kind, plus channel-wide switches."""

    name: str
    description: str = ""
    language: str | None = None  # the language the channel requires, if any (cdiscount: fr)
    fields: Mapping[str, FieldRules] = field(default_factory=dict)
    french_environmental_claims: bool = False  # AGEC art. L.541-9-1 rule set
    unverifiable_claims: bool = True  # superlatives and health claims
    sources: Sequence[str] = ()

    def rules_for(self, kind: str) -> FieldRules:
        return self.fields.get(kind, FieldRules())


@dataclass(frozen=True)
class CheckContext:
    """What checks may compare the copy with."""

    language: str | None = None  # the language the copy was asked in
    brand: str | None = None
    keywords: Sequence[str] = ()
    product: Mapping[str, Any] | None = None  # the product's own data (facts guard)
    prompt: str = ""  # the messages sent, to catch copy that echoes them
    #: the fixed text of every message the tool may add (re-asks): any line of it in the copy is
    #: an echo, however short, since no copy has a reason to say "Your answer is not valid"
    followups: Sequence[str] = ()
    known_words: Sequence[str] = ()  # acronyms and brand names allowed in capitals
    max_chars: int | None = None  # the caller's own limit for titles, on top of the channel's
    #: the fields already written for this product in the same pass (a listing), column -> text:
    #: copy to agree with, never support for a claim (only ``product`` supports one)
    listing: Mapping[str, str] | None = None
    #: the seller's approved copy of other products shown as examples (``copyassist.examples``):
    #: style to follow, never support for a claim; what of them the copy holds is a leak
    examples: Sequence[Mapping[str, Any]] = ()
    #: a translation's source: the listing it rewrites, field -> text, and its language; the
    #: translation's facts are checked against it (``rules.translation``)
    source_listing: Mapping[str, str] | None = None
    source_language: str | None = None
    #: the brand file's rules (``copyassist.brand.Brand.to_context``), checked by ``rules.brand_voice``
    brand_voice: Mapping[str, Any] | None = None
    #: what the checks derive from the fields above, worked out once per context (a row's
    #: attempts share one): the product's texts, the facts its data supports... (:meth:`derived`)
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, name: str, compute: Callable[[CheckContext], _T]) -> _T:
        """``compute(self)``, worked out on the first call for ``name`` and kept with the context:
        a context's data is read as it was then (contexts are built for one request)."""
        if name not in self._derived:
            self._derived[name] = compute(self)
        value: _T = self._derived[name]
        return value


#: A per-field check: ``check(field, text, rules, context) -> list[Violation]``. ``field`` is
#: the place in the output (``title``, ``bullets[2]``, ``faq[0].answer``), used in violations.
Check = Callable[[str, str, FieldRules, CheckContext], list[Violation]]
