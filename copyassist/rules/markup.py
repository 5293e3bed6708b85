"""Checks of the markup itself: HTML where text is asked, tags a channel does not take, script,
links, and :func:`sanitize_html`, which keeps only what a channel allows.

A tag is HTML when its name is an element's, it has attributes or it closes: ``<product
category>`` is a placeholder in angle brackets, which ``leftover.placeholder`` reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from copyassist.rules.base import CheckContext, FieldRules, Severity, Violation
from copyassist.rules.leftovers import HTML_TAGS
from copyassist.rules.text import HTML_COMMENT, HTML_TAG


def _each(
    rule: str, field: str, found: Iterable[str], message: str, severity: Severity = "error"
) -> list[Violation]:
    return [Violation(rule, severity, field, message.format(item), item) for item in found]


#: Element names beyond body content (leftovers.HTML_TAGS): a page's own, forms, embeds.
_OTHER_TAGS = frozenset(
    "html head body meta link title base form input button select option textarea label fieldset "  # noqa: SIM905
    "legend svg path canvas audio track map area iframe frame script style noscript template object "
    "embed dialog menu nobr marquee blink big".split()
)


def _is_tag(match: re.Match[str]) -> bool:
    """A tag of HTML, not a placeholder in angle brackets (``<product category>``: see
    leftover.placeholder): a known element, a namespaced one (``<o:p>``), attributes, or a closing tag."""
    name = match.group(2).lower()
    return (
        name in HTML_TAGS
        or name in _OTHER_TAGS
        or ":" in name
        or "=" in match.group(3)
        or bool(match.group(1))
    )


def _tag_names(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(2).lower() for m in HTML_TAG.finditer(text) if _is_tag(m)))


def check_no_html(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    if not rules.no_html:
        return []
    tags = [f"<{name}>" for name in _tag_names(text)] + (["<!--"] if HTML_COMMENT.search(text) else [])
    return _each("html.forbidden", field, [" ".join(tags)], "HTML is not allowed: {}") if tags else []


def check_html_tags(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """Tags outside ``html_allowed_tags``; ``<script>`` and ``<a>`` have their own checks."""
    if not rules.html_allowed_tags:
        return []
    allowed = {tag.lower() for tag in rules.html_allowed_tags}
    bad = [f"<{name}>" for name in _tag_names(text) if name not in allowed | {"a", "script"}]
    only = ", ".join(f"<{t}>" for t in sorted(allowed)).replace("{", "{{").replace("}", "}}")
    message = "the tag {} is not allowed (only " + only + ")"
    return _each("html.tag_not_allowed", field, bad, message)


_SCRIPT_ATTRIBUTE = re.compile(r"(?:^|[\s/])(on[a-z]+)\s*=|(javascript|vbscript)\s*:", re.I)


def check_html_script(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """Script in any form: a ``<script>`` tag, an ``on...=`` handler, a ``javascript:`` URL."""
    if not rules.html_allowed_tags:
        return []
    found = ["<script>"] if "script" in _tag_names(text) else []
    for tag in HTML_TAG.finditer(text):
        found += [(m.group(1) or m.group(2) + ":").lower() for m in _SCRIPT_ATTRIBUTE.finditer(tag.group(3))]
    script = " ".join(dict.fromkeys(found))
    return _each("html.script", field, [script], "script is not allowed: {}") if script else []


def check_html_links(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    if not rules.html_allowed_tags or rules.html_allow_links or "a" not in _tag_names(text):
        return []
    return _each("html.link", field, ["<a>"], "links ({}) are not allowed")


_NEVER_KEPT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template"})


def sanitize_html(html: str, allowed_tags: Iterable[str], allow_links: bool = False) -> str:
    """``html`` with only ``allowed_tags`` kept (other tags dropped, their text kept), script and
    style bodies removed, and no attribute at all except ``href`` on ``<a>``. ``<a>`` is kept
    exactly when ``allow_links``, with http, https or mailto targets only and
    ``rel="nofollow noopener noreferrer"``."""
    tags = {tag.lower() for tag in allowed_tags} - _NEVER_KEPT - {"a"}
    attributes: dict[str, set[str]] = {"*": set()}  # "*" emptied: no generic lang/title either
    if allow_links:
        tags.add("a")
        attributes["a"] = {"href"}
    import nh3  # loaded when HTML is first cleaned, not with the checks

    return nh3.clean(
        html,
        tags=tags,
        clean_content_tags=set(_NEVER_KEPT),
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
