"""Copy re-checked the way the run checked it: the run's template, persona, channel and options
rebuilt from ``runs.args``, the copy turned back into the template's output model, and
``rules.validate.validate_output`` run on it, so an edit's flags are the ones a generation
would get."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from copyassist.attempts import followup_texts
from copyassist.batch.run_settings import settings_for
from copyassist.batch.settings import BatchSettings
from copyassist.batch.store_records import RunInfo
from copyassist.errors import TemplateError
from copyassist.listing import LISTING_INPUT, accepts_listing
from copyassist.outputs import CopyOutput
from copyassist.pipeline import Prepared, prepare
from copyassist.product_language import choose_language
from copyassist.rules.base import Violation
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import PUBLISHED, check_context, check_text, validate_output
from copyassist.templates import Template, template_languages

_PLACE = re.compile(r"[\[.].*$")  # "bullets[2]" and "items[0].answer" are places in a column


@dataclass(frozen=True)
class Flag:
    """One violation, ready to highlight: ``text`` is the offending part ("" = the whole field)."""

    rule: str
    severity: str
    field: str
    message: str
    text: str = ""

    @classmethod
    def of(cls, violation: Violation) -> Flag:
        column = _PLACE.sub("", violation.field)
        return cls(violation.rule, violation.severity, column, violation.message, violation.text)

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "severity": self.severity, "field": self.field,
                "message": self.message, "text": self.text}  # fmt: skip


def _template_source(args: Mapping[str, Any], run: RunInfo) -> str | list[str]:
    listed = args.get("templates") or []
    if len(listed) > 1:  # a listing run: every field's template, in order (a file of the
        # user's by its path, while it is there)
        paths = [str(p) for p in args.get("template_paths") or []] or [""] * len(listed)
        return [
            str(name) if template_languages(str(name)) or not Path(path).is_file() else path
            for name, path in zip(listed, paths, strict=False)
        ]
    path = args.get("template_path")
    if path and Path(path).is_file():
        return str(path)
    return str(args.get("template") or run.template or "")


def run_settings(run: RunInfo) -> BatchSettings:
    """The run's settings, as ``settings_for`` built them for the batch."""
    args = run.args or {}
    language = args.get("language") or (run.language if run.language not in (None, "auto") else None)
    options = dict(args.get("options") or {})
    template = _template_source(args, run)
    try:
        return settings_for(template, language, persona=args.get("persona", run.persona),
                            channel=args.get("channel", run.channel), params=args.get("params"),
                            max_attempts=int(args.get("max_attempts") or 3), **options)  # fmt: skip
    except TemplateError:
        if isinstance(template, list) or template == run.template or not run.template:
            raise
        return settings_for(run.template, language, persona=run.persona, channel=run.channel,
                            params=args.get("params"), **options)  # fmt: skip


def _split(model: type[CopyOutput], name: str, text: str) -> Any:
    """A column's text as the model's field value (a list: one item a line for bullets)."""
    if model.kind_of(name) == "bullets":
        return [line.strip() for line in text.splitlines() if line.strip()]
    return [part.strip() for part in text.split(",") if part.strip()]


def rebuild(
    model: type[CopyOutput], stored: Mapping[str, Any] | None, fields: Mapping[str, str]
) -> CopyOutput:
    """The output ``stored`` (its JSON dump) with the columns in ``fields`` replaced; pydantic's
    ValidationError when the edit no longer fits the model (an empty title)."""
    data = dict(stored or {})
    for name, text in fields.items():
        if name not in model.model_fields:
            continue
        current = data.get(name)
        if isinstance(current, list) and current and not isinstance(current[0], str):
            continue  # structured items (FAQ): a column of text cannot be turned back into them
        annotation = str(model.model_fields[name].annotation)
        data[name] = _split(model, name, text) if annotation.startswith("list") else text
    return model.model_validate(data)


class Checker:
    """Re-checks copy for rows of one run; templates and the profile are loaded once."""

    def __init__(self, run: RunInfo) -> None:
        self.settings = run_settings(run)
        self.profile = load_profile(self.settings.channel or "generic")

    def template_for(self, product: Mapping[str, Any], row_language: str | None) -> Template:
        settings = self.settings
        return settings.templates[
            choose_language(
                dict(product), settings.forced_language, settings.templates, row_language
            ).language
        ]

    def prepared(self, product: Mapping[str, Any], row_language: str | None) -> Prepared:
        settings = self.settings
        return prepare(self.template_for(product, row_language), dict(product) or None,
                       persona=settings.persona, channel=settings.channel, params=settings.params,
                       **settings.options)  # fmt: skip

    def check(
        self, product: Mapping[str, Any], row_language: str | None, stored: Mapping[str, Any] | None,
        fields: Mapping[str, str],
    ) -> list[Flag]:  # fmt: skip
        """The flags of ``fields`` (the row's copy, column -> text) over the stored output; a
        listing's, each field by its own template and rules (``review.listing``)."""
        if self.settings.listing:
            return self._listing_flags(product, row_language, fields)
        return self.flags(self.prepared(product, row_language), stored, fields)

    def flags(
        self, prepared: Prepared, stored: Mapping[str, Any] | None, fields: Mapping[str, str]
    ) -> list[Flag]:
        """The flags of ``fields`` for the rendered template ``prepared``."""
        template = prepared.template
        context = check_context(prepared.context, prepared.messages, followup_texts(template.language))
        model = template.output_model
        flags: list[Flag] = []
        try:
            output = rebuild(model, stored, fields)
        except ValidationError as exc:
            for error in exc.errors():
                place = ".".join(str(p) for p in error["loc"]) or "output"
                flags.append(Flag("schema.invalid", "error", _PLACE.sub("", place), error["msg"]))
        else:
            flags.extend(Flag.of(v) for v in validate_output(output, self.profile, context))
        for name, text in fields.items():
            if name not in model.model_fields and text:  # the whole text in one column
                found = check_text(name, text, PUBLISHED, context, self.profile)
                flags.extend(Flag.of(v) for v in found)
        return sorted(flags, key=lambda f: f.severity != "error")

    def _listing_flags(
        self, product: Mapping[str, Any], row_language: str | None, fields: Mapping[str, str]
    ) -> list[Flag]:
        """A listing's flags: each field's columns checked by its own template and rules, written
        knowing the fields before it (as they stand now, edits included), as the batch wrote it."""
        settings = self.settings
        language = self.template_for(product, row_language).language
        written: dict[str, str] = {}
        flags: list[Flag] = []
        for found in settings.listing:
            template = found[language]
            own = {name: fields[name] for name in template.output_model.columns if name in fields}
            chained = {LISTING_INPUT: dict(written)} if written and accepts_listing(template) else {}
            prepared = prepare(template, dict(product) or None, persona=settings.persona,
                               channel=settings.channel, params=settings.params,
                               **{**settings.options, **chained})  # fmt: skip
            flags.extend(self.flags(prepared, None, own))
            written.update(own)
        return sorted(flags, key=lambda f: f.severity != "error")
