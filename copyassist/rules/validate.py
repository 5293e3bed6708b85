"""Check a whole output against a channel profile: which checks run on each field (the kind
the output model declares for it, ``CopyOutput.field_kinds``), and the violations they find."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from copyassist.outputs import CopyOutput
from copyassist.rules import (
    brand_spelling,
    brand_voice,
    checks,
    claims,
    competitors,
    example_leak,
    filler,
    keywords,
    language,
    leftovers,
    listing_claims,
    promises,
    reask,
    relevance,
    repetition,
    translation,
    truncation,
    units,
    wordlists,
)
from copyassist.rules.base import FIELD_KINDS, Check, CheckContext, FieldRules, Profile, Violation


def channel_checks(profile: Profile) -> tuple[Check, ...]:
    """Every per-field check that runs on copy for ``profile``."""
    content: list[Check] = [
        *claims.claims_checks(profile),
        leftovers.check_leftovers,
        language.check_language,
    ]
    return (*checks.FIELD_CHECKS, *content)


def check_context(
    render_context: Mapping[str, Any],
    messages: Sequence[Mapping[str, str]],
    followups: Sequence[str] = (),
) -> CheckContext:
    """What the checks compare a generated output with: the request that produced it, and the
    fixed text of the messages a re-ask adds to it (``followups``): every message sent.

    Source text given to the template (the copy to rewrite, the study sections to summarise)
    counts as data, like the product's fields: quoting it is neither an echo of the
    instructions nor an unsupported claim. So do the brand file's mandatory mentions, names to
    keep and preferred spellings: the copy is asked to carry them.
    """
    brand = render_context.get("brand")
    product = dict(render_context.get("product") or {})
    if render_context.get("text"):
        product["source_text"] = render_context["text"]
    source_listing = dict(render_context.get("source_listing") or {}) or None
    if source_listing:
        product["source_listing"] = source_listing
    if brand_voice.brand_texts(render_context.get("brand_voice")):  # what the copy must carry
        product["brand_file"] = brand_voice.brand_texts(render_context.get("brand_voice"))
    return CheckContext(
        language=render_context.get("language"),
        brand=brand,
        keywords=tuple(render_context.get("keywords") or ()),
        product=product or None,
        prompt="\n".join([*(m["content"] for m in messages), *followups]),
        followups=tuple(followups),
        known_words=(brand,) if brand else (),
        max_chars=render_context.get("max_chars"),
        listing=dict(render_context.get("listing") or {}) or None,
        examples=tuple(render_context.get("examples") or ()),
        source_listing=source_listing,
        source_language=render_context.get("source_language"),
        brand_voice=render_context.get("brand_voice") or None,
    )


#: What every published text gets, whatever its kind: a field no channel sets rules for (a
#: headline, a call to action) is still shown to buyers, so no links or contact details.
PUBLISHED = FieldRules(no_urls=True, no_contacts=True)


def copy_rules(profile: Profile) -> FieldRules:
    """The rules of a headline or call to action (kind ``copy``): published next to the
    description, so its content rules (prices, links, contacts, emoji, offer data, capitals),
    as plain text; not its lengths, nor its ban on promotional wording, since calling to act is
    a call to action's job."""
    description = profile.rules_for("description")
    return dataclasses.replace(
        PUBLISHED,
        no_prices=description.no_prices,
        no_emoji=description.no_emoji,
        no_offer_data=description.no_offer_data,
        no_all_caps=description.no_all_caps,
        no_html=True,
    )


def _rules(profile: Profile, kind: str | None, context: CheckContext) -> FieldRules:
    if kind == "copy":
        return copy_rules(profile)
    if kind is None:
        return PUBLISHED
    rules = profile.rules_for(kind)
    if context.max_chars and kind in ("title", "seo_title"):
        limit = min(rules.max_chars or context.max_chars, context.max_chars)
        rules = dataclasses.replace(rules, max_chars=limit)
    return rules


def _texts(name: str, value: Any) -> Iterator[tuple[str, str]]:
    """(place, text) for every piece of copy in a field, however nested."""
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(f"{name}[{index}]", item)
    elif isinstance(value, BaseModel):
        for sub_name in type(value).model_fields:
            yield from _texts(f"{name}.{sub_name}", getattr(value, sub_name))


@lru_cache(maxsize=16)
def quality_checks(kind: str | None) -> tuple[Check, ...]:
    """The checks whose rule depends on the kind of field (``copy`` for a headline or a call to
    action, None for a field of no known kind): repetition, truncation, filler, promises."""
    return (
        *repetition.repetition_checks(kind),
        truncation.truncation_check(kind),
        *filler.filler_checks(kind),
        promises.check_promises,
        brand_spelling.check_brand_spelling,
        reask.check_tool_request,
        competitors.check_competitors,
        *brand_voice.BRAND_CHECKS,
    )


def check_text(
    field: str,
    text: str,
    rules: FieldRules,
    context: CheckContext,
    profile: Profile,
    *,
    copy: bool = True,
    kind: str | None = None,
) -> list[Violation]:
    """Every check on one piece of text. ``copy=False`` keeps to leftovers and language.

    ``kind``: the kind of field the text is (``title``, ``copy``...); by default ``field`` when
    it names a kind (as ``copyassist check`` calls it)."""
    found: list[Violation] = []
    kind = kind or (field if field in FIELD_KINDS else None)
    selected = channel_checks(profile) if copy else (leftovers.check_leftovers, language.check_language)
    selected = (*selected, *quality_checks(kind)) if copy else selected
    for check in selected:
        found.extend(check(field, text, rules, context))
    if copy and context.product and not {v.rule for v in found} & _NOT_COMPARED:
        guard = translation.check_translation if context.source_listing else units.check_facts
        found.extend(guard(field, _FIELD_PATH.sub(_blank, text), rules, context))
        found.extend(listing_claims.check_listing_claims(field, text, rules, context))
        if field == "title":
            found.extend(relevance.check_on_product(field, text, rules, context))
        if context.examples:
            found.extend(example_leak.check_example_leak(field, text, rules, context))
    return found


#: Rules after which comparing the text's words and figures with the product data says nothing
#: more: text in the wrong language (its words cannot match the data's), filler ("Bullet 1": its
#: digit is no claim).
_NOT_COMPARED = frozenset({language.RULE, filler.FILLER})
#: A field path of the tool's own re-ask echoed in the copy (``faq[0].answer``): its index is no claim.
_FIELD_PATH = re.compile(r"(?<![\w-])[a-z_]+(?:\[\d+\])+(?:\.[a-z_]+)*", re.IGNORECASE)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _count_violations(field: str, value: Any, rules: FieldRules) -> list[Violation]:
    if not isinstance(value, list):
        return []
    if rules.max_items is not None and len(value) > rules.max_items:
        return [
            Violation(
                "count.max_items", "error", field, f"{len(value)} items, at most {rules.max_items} allowed"
            )
        ]
    if rules.min_items is not None and len(value) < rules.min_items:
        return [
            Violation(
                "count.min_items", "error", field, f"{len(value)} items, at least {rules.min_items} needed"
            )
        ]
    return []


def validate_output(output: CopyOutput, profile: Profile, context: CheckContext) -> list[Violation]:
    """The violations of ``output`` for ``profile``, errors first, in field order."""
    with wordlists.snapshot():
        return _validate(output, profile, context)


def _validate(output: CopyOutput, profile: Profile, context: CheckContext) -> list[Violation]:
    model = type(output)
    found: list[Violation] = []
    for name in model.model_fields:
        kind = model.kind_of(name)
        if kind == "data":
            if name == "keywords" and isinstance(getattr(output, name), list):
                found.extend(keywords.check_keyword_list(name, getattr(output, name), context))
            continue
        value = getattr(output, name)
        rules = _rules(profile, kind if kind in (*FIELD_KINDS, "copy") else None, context)
        found.extend(_count_violations(name, value, rules))
        if isinstance(value, list) and kind != "notes":
            places = list(_texts(name, value))
            found.extend(repetition.repeated_items(places))
            joined = "\n".join(text for _, text in places)  # one keyword in every bullet
            found.extend(repetition.stuffing_check("description")(name, joined, rules, context))
        for place, text in _texts(name, value):
            found.extend(check_text(place, text, rules, context, profile, copy=kind != "notes", kind=kind))
    found.extend(translation.check_translated_listing(output, context))
    found.extend(brand_voice.check_brand_output(output, context))
    return sorted(found, key=lambda v: v.severity != "error")
