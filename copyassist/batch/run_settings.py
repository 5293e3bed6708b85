"""A run's settings: ``settings_for`` builds them from the library's options (checked before any
row), ``run_args`` records what reopening the run later needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from copyassist.batch.listing import check_listing_settings, field_paths, field_templates, templates_of
from copyassist.batch.settings import BatchSettings
from copyassist.feeds import Feed
from copyassist.option_names import batch_options
from copyassist.product_language import DEFAULT_LANGUAGE
from copyassist.rules.profiles import load_profile
from copyassist.scoring.criteria import scored
from copyassist.templates import Template
from copyassist.translation import check_batch_translation
from copyassist.variants import check_variants

__all__ = ["run_args", "settings_for"]


def settings_for(
    template: str | Template | Sequence[str],
    language: str | None = None,
    *,
    persona: str | None = None,
    channel: str | None = None,
    concurrency: int = 8,
    max_attempts: int = 3,
    max_cost: float | None = None,
    use_cache: bool = True,
    params: Mapping[str, Any] | None = None,
    score: Iterable[str] = (),
    variants: int = 1,
    prompts_dirs: Iterable[str | Path] = (),
    personas_dirs: Iterable[str | Path] = (),
    **inputs: Any,
) -> BatchSettings:
    """Settings of a run; ``inputs`` are the template inputs (tone, words, keywords...) and the
    other options of ``prepare`` (compact...). A name that is neither raises ``ConfigError``
    here, before any row (``option_names``).
    ``template``: one, or a listing's (``"a,b,c"``, a list, a set name: ``batch.listing``).

    ``language=None``: each row in its own language (a language column, else detected), or in
    the one the channel requires."""
    profile = load_profile(channel) if channel else None  # a misspelt channel fails before any row
    required = profile.language if profile is not None else None
    forced = template.language if isinstance(template, Template) else language or required
    fields = field_templates(template, forced or None, prompts_dirs)
    templates = fields[0]
    every = [t for languages in fields for t in languages.values()]
    options = batch_options(inputs, every, prompts_dirs=prompts_dirs, personas_dirs=personas_dirs)
    check_batch_translation(options, forced or None, every)
    fallback = forced or (DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in templates else sorted(templates)[0])
    settings = BatchSettings(
        templates=templates,
        language=fallback,
        forced_language=forced or None,
        persona=persona,
        channel=channel,
        options=options,
        params={k: v for k, v in (params or {}).items() if v is not None},
        concurrency=concurrency,
        max_attempts=max_attempts,
        max_cost=max_cost,
        use_cache=use_cache,
        score=scored(score, persona),
        listing=tuple(fields) if len(fields) > 1 else (),
        variants=check_variants(variants),
    )
    check_listing_settings(settings)
    return settings


def run_args(
    feed: Feed, settings: BatchSettings, template: Template, extra: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What reopening the feed, writing a row again and writing the output back the way this
    run did needs (``runs.args``): the review and ``copyassist export`` read it."""
    stat = feed.path.stat()
    return {
        "template": template.name, "template_path": str(template.path), "templates": templates_of(settings),
        "template_paths": [str(t.path) for t in field_paths(settings)],
        "language": settings.forced_language, "persona": settings.persona, "channel": settings.channel,
        "options": settings.options, "params": settings.params, "max_attempts": settings.max_attempts,
        "variants": settings.variants, "use_cache": settings.use_cache, "feed_format": feed.format,
        "mapping": feed.mapping,
        "feed_path": str(feed.path.resolve()),
        "feed_stamp": {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}, **(extra or {}),
    }  # fmt: skip
