"""A drafted study as a document: its outline and sections, as Markdown, or HTML rendered from
the Markdown with raw HTML disabled.

Figures are marked where they stand: percentages, amounts of money, market sizes, counts of
people, years and "according to ..." citations get a "to verify" mark after them, and every
one of them, plus those the model listed itself, goes in the closing table.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from copyassist.backends import Usage
from copyassist.i18n import language_code, localized
from copyassist.outputs import CopyOutput

#: key -> (template, per persona?). Document order; the summary is written last, from the rest.
SECTIONS: dict[str, tuple[str, bool]] = {
    "summary": ("executive-summary", False),
    "trends": ("market-trends", False),
    "behaviour": ("customer-behaviour", False),
    "demographics": ("target-demographics", False),
    "benchmark": ("competitive-benchmark", False),
    "opportunities": ("opportunities", False),
    "swot": ("swot", False),
    "channels": ("marketing-channels", True),
    "content": ("content-strategy", True),
    "ugc": ("ugc-plan", True),
    "affiliation": ("affiliate-plan", True),
    "influencers": ("influencer-plan", True),
}


@dataclass
class SectionResult:
    key: str
    title: str
    persona: str | None = None
    output: CopyOutput | None = None
    status: str = "failed"  # a generation status, or "failed"
    error: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost: float | None = 0.0

    def text(self, language: str) -> str:
        return self.output.as_text(language) if self.output is not None else ""


@dataclass
class Figure:
    section: str
    text: str
    source: str  # "listed" (the model's own list) or "text" (found in the section's text)


@dataclass
class StudyResult:
    """A drafted study: its sections in document order, the figures to verify, what it cost."""

    category: str
    brand: str | None
    language: str
    model: str
    sections: list[SectionResult]
    usage: Usage = field(default_factory=Usage)
    cost: float | None = 0.0

    @property
    def figures(self) -> list[Figure]:
        return collect_figures(self)

    def to_markdown(self) -> str:
        return render_markdown(self)

    def to_html(self) -> str:
        return render_html(self)


_NUMBER = r"\d+(?:[ \u00a0\u202f.,]\d+)*"
_MAGNITUDE = (
    r"%|pour ?cent|percent|€|\$|£|eur\b|euros?\b|usd\b|dollars?\b|k€|m€|md€|mds?\b|millions?\b|"
    r"milliards?\b|billions?\b|trillions?\b|bn\b|consommateurs|clients|acheteurs|personnes|"
    r"foyers|utilisateurs|consumers|customers|buyers|people|households|users"
)
FIGURE = re.compile(
    rf"(?:[€$£] ?{_NUMBER}(?: ?(?:k|m|md|bn|millions?|milliards?|billions?))?)"
    rf"|(?:{_NUMBER} ?(?:{_MAGNITUDE}))"
    rf"|(?<![\w.,])(?:19|20)\d{{2}}(?![\w.,%])",
    re.IGNORECASE,
)
CITATION = re.compile(
    r"(?:selon|d'après|d’après|according to|as reported by|source ?:)\s+[^.;:\n]{3,80}",
    re.IGNORECASE,
)
MARKS = {"fr": "*(à vérifier)*", "en": "*(to verify)*"}
TEXT = {
    "fr": {
        "title": "Étude de marché",
        "draft": "**Brouillon à vérifier.** Ce document a été rédigé par un modèle de langage ({model}). "
        "Aucun chiffre, pourcentage, montant, taille de marché ni étude citée n'a été vérifié : "
        "chacun est marqué *(à vérifier)* et repris dans le tableau final. Vérifiez-les auprès "
        "de sources fiables avant toute décision ou publication.",
        "plan": "Plan marketing",
        "for": "pour",
        "failed": "**Section non rédigée** : {error}",
        "figures": "Chiffres à vérifier",
        "none": "Aucun chiffre relevé.",
        "head": "| Section | Chiffre ou source | Relevé |\n|---|---|---|",
        "listed": "listé par le modèle",
        "text": "dans le texte",
    },
    "en": {
        "title": "Market study",
        "draft": "**Draft to verify.** This document was written by a language model ({model}). "
        "No figure, percentage, amount, market size or cited study in it has been checked: each "
        "is marked *(to verify)* and listed in the closing table. Check them against reliable "
        "sources before any decision or publication.",
        "plan": "Marketing plan",
        "for": "for",
        "failed": "**Section not written**: {error}",
        "figures": "Figures to verify",
        "none": "No figure found.",
        "head": "| Section | Figure or source | Found |\n|---|---|---|",
        "listed": "listed by the model",
        "text": "in the text",
    },
}


def find_figures(text: str) -> list[str]:
    """The figures and citations in ``text``, in order, each once."""
    found = [m.group(0).strip() for m in FIGURE.finditer(text)]
    found += [m.group(0).strip() for m in CITATION.finditer(text)]
    return list(dict.fromkeys(found))


def mark_figures(text: str, language: str) -> str:
    """``text`` with a "to verify" mark after each figure and citation."""
    mark = localized(MARKS, language)
    marked = FIGURE.sub(lambda m: f"{m.group(0)} {mark}", text)
    return CITATION.sub(lambda m: f"{m.group(0)} {mark}", marked)


def _section_heading(title: str, persona: str | None, words: dict[str, str]) -> str:
    return f"{title} — {words['for']} {persona}" if persona else title


def collect_figures(result: StudyResult) -> list[Figure]:
    figures: list[Figure] = []
    for section in result.sections:
        if section.output is None:
            continue
        name = _section_heading(section.title, section.persona, localized(TEXT, result.language))
        listed = [str(f) for f in getattr(section.output, "figures", [])]
        figures += [Figure(name, f, "listed") for f in listed]
        body = section.output.model_copy(update={"figures": []}) if listed else section.output
        figures += [Figure(name, f, "text") for f in find_figures(body.as_text(result.language))]
    return figures


def _demote(markdown: str) -> str:
    """A section's own ``##`` headings become ``###`` inside the document."""
    return re.sub(r"^(#{2,5}) ", lambda m: "#" + m.group(1) + " ", markdown, flags=re.MULTILINE)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def render_markdown(result: StudyResult) -> str:
    words = localized(TEXT, result.language)
    colon = " :" if language_code(result.language) == "fr" else ":"
    title = f"# {words['title']}{colon} {result.category}"
    lines = [title + (f" — {result.brand}" if result.brand else ""), ""]
    lines += ["> " + words["draft"].format(model=result.model), ""]
    plan_started = False
    for section in result.sections:
        if SECTIONS[section.key][1] and not plan_started:
            lines += [f"## {words['plan']}", ""]
            plan_started = True
        level = "###" if SECTIONS[section.key][1] else "##"
        lines += [f"{level} {_section_heading(section.title, section.persona, words)}", ""]
        if section.output is None:
            lines += [words["failed"].format(error=section.error or "?"), ""]
            continue
        body = _demote(section.output.as_text(result.language))
        if level == "###":
            body = _demote(body)
        lines += [mark_figures(body, result.language), ""]
    lines += [f"## {words['figures']}", ""]
    figures = result.figures
    if not figures:
        lines += [words["none"], ""]
    else:
        lines += words["head"].splitlines()
        lines += [f"| {_cell(f.section)} | {_cell(f.text)} | {words[f.source]} |" for f in figures]
        lines.append("")
    return "\n".join(lines)


def render_html(result: StudyResult) -> str:
    """A standalone HTML page; anything the model wrote as HTML is shown as text, not run."""
    from markdown_it import MarkdownIt  # where used: only an HTML study loads it

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(render_markdown(result))
    return (
        f'<!doctype html>\n<html lang="{result.language}">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(result.category)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;line-height:1.5}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem}"
        "blockquote{background:#fff6e0;border-left:4px solid #e0a000;margin:0;padding:.5rem 1rem}</style>"
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )
