"""Prompt templates: YAML front matter + a Jinja2 body split into chat messages.

The body is cut into messages on the marker lines ``<<system>>``, ``<<user>>`` and
``<<assistant>>`` before anything is rendered, so data can never add or change a role. Each part
is rendered by an immutable sandbox with ``StrictUndefined``, on a time and size budget
(``copyassist.sandbox``); product, persona and user text are only ever values in the render
context, never template source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from pydantic import ValidationError

from copyassist.assets import file_stamp, search_path
from copyassist.errors import InputError, TemplateError, one_line
from copyassist.i18n import language_code
from copyassist.languages import body_language, language_name, writable_languages
from copyassist.outputs import CopyOutput, output_model
from copyassist.sandbox import BudgetedSandbox, BudgetExceeded, render_budget
from copyassist.template_source import TemplateMeta, meta_problem, split_front_matter, split_messages

LANGUAGES = ("fr", "en")
MODEL_PARAMETERS = frozenset({"temperature", "max_tokens", "top_p"})
_LANGUAGE_LINE = {"fr": "Écris en {}.", "en": "Write in {}."}
_FILE_NAME = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_-]*)\.(?P<lang>[a-z]{2})\.j2$")

#: Every context name a template may use, with the value it has when nobody gave one.
CONTEXT_DEFAULTS: dict[str, Any] = {
    "product": None,
    "persona": None,
    "brand": None,
    "category": None,
    "language": None,
    "tone": None,
    "channel": None,
    "objective": None,
    "words": None,
    "max_chars": None,
    "count": None,
    "keywords": [],
    "format": "text",
    "location": None,
    "competitors": [],
    "text": None,
    "brand_voice": None,  # the brand file (copyassist.brand.Brand.to_context), for every copy template
    "listing": None,  # the fields already written for this product in the same pass (template sets)
    "examples": [],  # the seller's approved copy of other products, chosen for this one (copyassist.examples)
    "source_listing": None,  # translate: the listing to rewrite, field -> text (copyassist.translation)
    "source_language": None,  # translate: the language source_listing is written in
}

_EMPTY_PRODUCT: dict[str, Any] = {
    "title": None,
    "brand": None,
    "category": None,
    "description": None,
    "features": [],
    "attributes": {},
    "price": None,
    "currency": None,
    "sku": None,
    "gtin": None,
    "url": None,
    "keywords": [],
    "extra": {},
}


@dataclass(frozen=True)
class Template:
    """A template file, ready to render. ``language`` is the language of the copy it asks for;
    ``prompt_language`` the one its body is written in (the same, but for German, Spanish or
    Italian copy written from an English or French body: see ``copyassist.languages``)."""

    meta: TemplateMeta
    language: str
    path: Path
    parts: tuple[tuple[str, str], ...] = field(repr=False)
    folders: tuple[Path, ...] = field(repr=False, default=())
    prompt_language: str = ""

    def __post_init__(self) -> None:
        if not self.prompt_language:
            object.__setattr__(self, "prompt_language", self.language)

    @property
    def name(self) -> str:
        return self.meta.name

    def writing(self, language: str) -> Template:
        """This template asking for copy in ``language``, its body unchanged."""
        return replace(self, language=language)

    @property
    def output_model(self) -> type[CopyOutput]:
        return output_model(self.meta.output)

    @property
    def parameters(self) -> dict[str, Any]:
        """Model parameters (temperature, max_tokens...) from the front matter defaults."""
        return {k: v for k, v in self.meta.defaults.items() if k in MODEL_PARAMETERS}

    def context(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The full render context: caller values, then front-matter defaults, then blanks."""
        unknown = set(values) - set(CONTEXT_DEFAULTS)
        if unknown:
            raise TemplateError(
                f"template {self.name!r}: unknown input(s) {', '.join(sorted(unknown))}; "
                f"known inputs: {', '.join(CONTEXT_DEFAULTS)}"
            )
        context: dict[str, Any] = dict(CONTEXT_DEFAULTS)
        for key, default in self.meta.defaults.items():
            if key not in MODEL_PARAMETERS:
                context[key] = default
        for key, value in values.items():
            if not _is_empty(value):
                context[key] = value
        product = {**_EMPTY_PRODUCT, **(context["product"] or {})}
        context["product"] = product
        context["brand"] = context["brand"] or product["brand"]
        context["category"] = context["category"] or product["category"]
        context["keywords"] = list(context["keywords"] or product["keywords"] or [])
        context["language"] = self.language
        context["language_name"] = language_name(self.language, self.prompt_language)
        source = context.get("source_language")  # translate: the source listing's language, named
        context["source_language_name"] = language_name(source, self.prompt_language) if source else None
        missing = [name for name in self.meta.inputs.required if _is_missing(name, context)]
        if missing:
            raise InputError(
                f"template {self.name!r} needs {', '.join(missing)}; "
                f"give {missing[0]}=... (an input, or a feed column)"
            ).with_hint(*missing)
        return context

    def render(self, values: Mapping[str, Any]) -> list[dict[str, str]]:
        """The chat messages for ``values`` (see CONTEXT_DEFAULTS for the names).

        Whatever goes wrong inside the template (an undefined name, ``1/0``, a loop or a value
        over the render budget of ``copyassist.sandbox``) is a ``TemplateError`` naming it."""
        context = self.context(values)
        messages = []
        with render_budget():
            for role, source in self.parts:
                try:
                    content = _compiled(self.folders, source).render(context)
                except jinja2.UndefinedError as exc:
                    raise TemplateError(f"{self.path}: {exc.message}") from None
                except jinja2.TemplateError as exc:
                    raise TemplateError(f"{self.path}: {exc}") from None
                except BudgetExceeded as exc:
                    raise TemplateError(
                        f"template {self.name!r} ({self.path}) is over its render budget: {exc}"
                    ) from None
                except Exception as exc:  # the template's own code failed: 1/0, int('x')...
                    raise TemplateError(f"template {self.name!r} ({self.path}): {one_line(exc)}") from None
                messages.append({"role": role, "content": _tidy(content)})
        return _with_language_line(self, messages)


def _with_language_line(template: Template, messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """A template that never names ``language_name`` (a user's own) asks for its body's
    language: when the copy is in another, the last user message says which."""
    if template.language == template.prompt_language or _names_language(
        template.folders, tuple(source for _, source in template.parts)
    ):
        return messages
    line = _LANGUAGE_LINE.get(template.prompt_language, _LANGUAGE_LINE["en"])
    last = max(i for i, m in enumerate(messages) if m["role"] == "user")
    name = language_name(template.language, template.prompt_language)
    messages[last] = {**messages[last], "content": messages[last]["content"] + "\n\n" + line.format(name)}
    return messages


@lru_cache(maxsize=256)
def _names_language(folders: tuple[Path, ...], sources: tuple[str, ...]) -> bool:
    """Whether ``sources``, or a partial they include, use ``language_name``."""
    pending, seen = list(sources), set()
    while pending:
        source = pending.pop()
        if "language_name" in source:
            return True
        for name in jinja2.meta.find_referenced_templates(_environment(folders).parse(source)):
            path = next((f / name for f in folders if name and (f / name).is_file()), None)
            if path is not None and name not in seen:
                seen.add(name)
                pending.append(path.read_text("utf-8"))
    return False


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _is_missing(name: str, context: Mapping[str, Any]) -> bool:
    if name == "product":
        product = context["product"]
        return not (product.get("title") or product.get("description"))
    return _is_empty(context.get(name))


def _tidy(text: str) -> str:
    """Trim the blank lines that Jinja control blocks leave behind."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@lru_cache(maxsize=8)
def _environment(folders: tuple[Path, ...]) -> BudgetedSandbox:
    return BudgetedSandbox(
        loader=jinja2.FileSystemLoader([str(f) for f in folders if f.is_dir()]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


@lru_cache(maxsize=256)
def _compiled(folders: tuple[Path, ...], source: str) -> jinja2.Template:
    """A message part compiled once: compiling costs far more than rendering, for every row."""
    return _environment(folders).from_string(source)


def parse_template(path: Path, search_dirs: Iterable[str | Path] = ()) -> Template:
    """Read one template file; every problem is a one-line TemplateError naming the file.

    Partials (``{% include %}``) resolve in the file's own folder first, then the search path.
    A file is parsed again only when it changed (its modification time or size).
    """
    try:
        stamp = file_stamp(path)
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read template: {exc}") from None
    partials = tuple(search_path("prompts", search_dirs))
    return _parse_template(path, stamp, partials)


@lru_cache(maxsize=256)
def _parse_template(path: Path, stamp: tuple[int, int], partials: tuple[Path, ...]) -> Template:
    match = _FILE_NAME.match(path.name)
    if not match:
        raise TemplateError(f"{path}: template files are named <name>.<lang>.j2, e.g. aida.fr.j2")
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read template: {exc}") from None
    front, body = split_front_matter(path, source)
    try:
        meta = TemplateMeta.model_validate(front)
    except ValidationError as exc:
        raise TemplateError(f"{path}: front matter {meta_problem(exc)}") from None
    if meta.name != match["name"]:
        raise TemplateError(f"{path}: front matter name {meta.name!r} differs from the file name")
    output_model(meta.output)
    parts = split_messages(path, body)
    folders = tuple(dict.fromkeys([path.parent, *partials]))
    environment = _environment(folders)
    for _, part in parts:
        try:
            environment.parse(part)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{path}: line {exc.lineno}: {exc.message}") from None
    return Template(meta=meta, language=match["lang"], path=path, parts=parts, folders=folders)


def _template_files(extra: Iterable[str | Path] = ()) -> dict[tuple[str, str], Path]:
    """(name, language) -> file, the first folder in the search path winning."""
    found: dict[tuple[str, str], Path] = {}
    for folder in search_path("prompts", extra):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.j2")):
            match = _FILE_NAME.match(path.name)
            if match:
                found.setdefault((match["name"], match["lang"]), path)
    return found


def load_template(name: str, language: str = "en", search_dirs: Iterable[str | Path] = ()) -> Template:
    """The template ``name`` writing copy in ``language`` (a path to a .j2 file also works).

    A language the template has no version in is written from its English (else French) body,
    when it is one of ``copyassist.languages.OUTPUT_LANGUAGES``: ``load_template("aida", "de")``
    is the English AIDA asking for German copy."""
    if name.endswith(".j2") and Path(name).is_file():
        return parse_template(Path(name), search_dirs)
    files = _template_files(search_dirs)
    language = language_code(language) or language
    path = files.get((name, language))
    if path is None:
        languages = sorted(lang for (n, lang) in files if n == name)
        if not languages:
            names = sorted({n for (n, _) in files})
            raise TemplateError(
                f"unknown template {name!r}; run 'copyassist templates list' (known: {', '.join(names)})"
            )
        try:
            body = body_language(language, languages)
        except InputError:
            raise TemplateError(
                f"template {name!r} has no {language!r} version; "
                f"available: {', '.join(writable_languages(languages))}"
            ).with_hint("language") from None
        return parse_template(files[(name, body)], search_dirs).writing(language)
    return parse_template(path, search_dirs)


def check_output_language(
    names: Iterable[str], language: str | None, search_dirs: Iterable[str | Path] = ()
) -> None:
    """A ``TemplateError`` (the one of ``load_template``) when one of ``names`` cannot write
    ``language``, before any backend is looked for; template files (``.j2`` paths) are not
    judged here."""
    if language:
        for name in names:
            if not name.endswith(".j2"):
                load_template(name, language, search_dirs)


def template_languages(name: str, search_dirs: Iterable[str | Path] = ()) -> list[str]:
    """The languages template ``name`` has a version in, sorted (none for an unknown name)."""
    return sorted(lang for (n, lang) in _template_files(search_dirs) if n == name)


def output_languages_of(name: str, search_dirs: Iterable[str | Path] = ()) -> list[str]:
    """Every language template ``name`` writes copy in, sorted: its versions' and, from its English
    or French body, German, Spanish and Italian (none for an unknown name)."""
    return writable_languages(template_languages(name, search_dirs))


def list_templates(search_dirs: Iterable[str | Path] = ()) -> list[Template]:
    """Every template found, one per name and language, sorted by name then language."""
    files = _template_files(search_dirs)
    return [parse_template(files[key], search_dirs) for key in sorted(files)]


def template_names(search_dirs: Iterable[str | Path] = ()) -> list[str]:
    """Every template name found (files only: none is parsed), sorted."""
    return sorted({n for (n, _) in _template_files(search_dirs)})
