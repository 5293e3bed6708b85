"""The keyword options of ``prepare`` / ``generate`` that are not template inputs, and the check
that refuses a name that is neither.

A keyword ``prepare`` (and so ``generate``, ``settings_for``, ``run_batch``...) receives is either
a library option listed here, or an input the template declares in its front matter
(``inputs.required`` / ``inputs.optional``). Any other name is a mistake (``tones=``,
``keyword=``) and raises :class:`~copyassist.errors.ConfigError` before any work, naming it, a
close match and the accepted names; a batch would otherwise fail every row on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from copyassist.brand import brand_option
from copyassist.errors import ConfigError
from copyassist.examples import stored_examples
from copyassist.safe_yaml import closest
from copyassist.templates import CONTEXT_DEFAULTS, Template

#: One name a line, so that branches adding an option merge by union.
LIBRARY_OPTIONS = frozenset(
    {
        "persona",
        "language",
        "channel",
        "params",
        "prompts_dirs",
        "personas_dirs",
        "compact",
        "brand_voice",
        "variants",
        "translate_from",
        "listing",
        "examples",
    }
)


def declared_inputs(templates: Iterable[Template]) -> set[str]:
    """The inputs the templates' front matter declares, required and optional."""
    names: set[str] = set()
    for template in templates:
        names.update(template.meta.inputs.required, template.meta.inputs.optional)
    return names


def check_option_names(names: Iterable[str], templates: Iterable[Template]) -> None:
    """Raise ``ConfigError`` for the first of ``names`` that is neither a library option nor an
    input one of ``templates`` declares: one line, with a guess and what is accepted."""
    chosen = list(templates)
    accepted = LIBRARY_OPTIONS | declared_inputs(chosen)
    unknown = sorted(name for name in set(names) if name not in accepted)
    if not unknown:
        return
    name = unknown[0]
    which = f"template {chosen[0].name!r}" if chosen else "the template"
    listed = f"(accepted: {', '.join(sorted(accepted))})"
    if name in CONTEXT_DEFAULTS:  # an input of other templates, that this one does not use
        raise ConfigError(f"{which} does not use {name}; leave it out {listed}").with_hint(name)
    meant = closest(name, accepted)
    guess = f"; did you mean {meant!r}?" if meant else ""
    raise ConfigError(f"unknown option {name!r} for {which}{guess} {listed}")


def accepted_by(template: Template, options: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``options`` that ``template`` takes: for a caller that shares one set of
    inputs among several templates (a study's sections, a listing's fields)."""
    accepted = LIBRARY_OPTIONS | declared_inputs([template])
    return {name: value for name, value in options.items() if name in accepted}


def batch_options(
    inputs: Mapping[str, Any], templates: Iterable[Template], **folders: Iterable[str | Path]
) -> dict[str, Any]:
    """A batch's ``BatchSettings.options``: the inputs given (None is not given), checked, with
    the template and persona folders as plain strings, and the brand file as its content
    (``brand.brand_option``: the user folder's when none is given), since options are part of
    each row's cache key and of the run's stored arguments."""
    options = {name: value for name, value in inputs.items() if value is not None}
    if "product" in options:
        raise ConfigError("a batch takes each product from its feed row, not product=...")
    check_option_names(options, templates)
    if "examples" in options:  # a path (absolute: the review reads it again) or plain data
        options["examples"] = stored_examples(options["examples"])
    brand = brand_option(options.pop("brand_voice", None))  # its content, in every row's key
    if brand is not None:
        options["brand_voice"] = brand
    options.update({name: [str(p) for p in dirs] for name, dirs in folders.items() if dirs})
    return options
