"""A keyword that is neither a library option nor an input the template declares raises at once."""

from __future__ import annotations

import csv
from pathlib import Path

import jinja2
import jinja2.meta
import pytest

from copyassist import generate, prepare
from copyassist.batch.api import dry_run, run_batch
from copyassist.batch.run_settings import settings_for
from copyassist.batch.store import Store
from copyassist.errors import ConfigError
from copyassist.option_names import LIBRARY_OPTIONS, check_option_names
from copyassist.templates import CONTEXT_DEFAULTS, Template, list_templates, parse_template
from tests.helpers import ROOT, FakeBackend

PRODUCT = {"title": "Lampe de bureau LED", "description": "Une lampe orientable, trois teintes de lumière."}


def _feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "description"])
        writer.writerows([[f"Lampe {n}", "Une lampe orientable en aluminium."] for n in range(3)])
    return path


def _one_line(error: pytest.ExceptionInfo[ConfigError]) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


def test_prepare_names_the_unknown_option_a_guess_and_what_is_accepted() -> None:
    with pytest.raises(ConfigError) as caught:
        prepare("product-description", PRODUCT, tones="premium")
    message = _one_line(caught)
    assert "'tones'" in message and "did you mean 'tone'?" in message
    assert "accepted:" in message and "keywords" in message and "persona" in message


def test_an_input_the_template_does_not_declare_is_refused() -> None:
    with pytest.raises(ConfigError, match="'product-title' does not use competitors") as caught:
        prepare("product-title", PRODUCT, competitors=["Garmin"])
    assert caught.value.hint_options == ("competitors",)  # the CLI names --competitor
    # not given (None) is not a mistake: the CLI passes every unset flag as None
    assert prepare("product-title", PRODUCT, competitors=None, words=None).template.name == "product-title"


def test_declared_inputs_and_library_options_pass() -> None:
    prepared = prepare("product-description", PRODUCT, tone="premium", keywords=["lampe"], channel="shopify",
                       words=90, language="fr", compact=False)  # fmt: skip
    assert "premium" in prepared.messages[0]["content"] + prepared.messages[-1]["content"]


def test_generate_raises_before_any_call() -> None:
    backend = FakeBackend([{"title": "Lampe"}])
    with pytest.raises(ConfigError, match=r"'keyword'.*did you mean 'keywords'"):
        generate("product-title", PRODUCT, backend=backend, keyword=["lampe"])
    assert backend.calls == []


def test_settings_for_checks_every_language_of_the_template() -> None:
    with pytest.raises(ConfigError, match="'tonne'"):
        settings_for("product-title", tonne="premium")
    assert settings_for("product-title", tone="premium").options == {"tone": "premium"}


def test_a_batch_with_a_misspelt_option_fails_at_once_not_on_every_row(tmp_path: Path) -> None:
    backend = FakeBackend([{"title": "Lampe"}])
    feed = _feed(tmp_path)
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(ConfigError, match=r"'wrods'.*did you mean 'words'"):
            run_batch(feed, tmp_path / "out.csv", template="product-description", backend=backend,
                      store=store, wrods=80)  # fmt: skip
        with pytest.raises(ConfigError, match="'wrods'"):
            dry_run(feed, template="product-description", backend=backend, store=store, wrods=80)
    assert backend.calls == []
    assert not (tmp_path / "out.csv").exists()


def test_a_batch_refuses_a_product_option() -> None:
    with pytest.raises(ConfigError, match="feed row"):
        settings_for("product-title", product={"title": "x"})


def test_the_names_other_branches_add_are_library_options() -> None:
    assert {"brand_voice", "variants", "translate_from", "listing"} <= LIBRARY_OPTIONS


def test_the_check_without_a_guess_still_lists_the_accepted() -> None:
    template = parse_template(ROOT / "prompts" / "product-title.fr.j2")
    with pytest.raises(ConfigError) as caught:
        check_option_names(["zzz"], [template])
    assert "did you mean" not in str(caught.value) and "max_chars" in str(caught.value)


# -- every bundled template declares what its body uses ---------------------------------------

_ENV = jinja2.Environment()


def _names_used(source: str, folders: tuple[Path, ...], seen: set[str]) -> set[str]:
    """The context names a template part reads, its partials' included (as they resolve)."""
    tree = _ENV.parse(source)
    names = set(jinja2.meta.find_undeclared_variables(tree))
    for included in jinja2.meta.find_referenced_templates(tree):
        if included is None or included in seen:
            continue
        seen.add(included)
        path = next(folder / included for folder in folders if (folder / included).is_file())
        names |= _names_used(path.read_text("utf-8"), folders, seen)
    return names


def _bundled() -> list[Template]:
    full = [t for t in list_templates() if t.path.is_relative_to(ROOT / "prompts")]
    compact = [parse_template(p) for p in sorted((ROOT / "prompts" / "compact").glob("*.j2"))]
    return full + compact


@pytest.mark.parametrize("template", _bundled(), ids=lambda t: f"{t.path.parent.name}/{t.path.name}")
def test_every_bundled_template_declares_the_inputs_its_body_uses(template: Template) -> None:
    used: set[str] = set()
    for _, part in template.parts:
        used |= _names_used(part, template.folders, set())
    inputs = (used & set(CONTEXT_DEFAULTS)) - LIBRARY_OPTIONS
    declared = set(template.meta.inputs.required) | set(template.meta.inputs.optional)
    assert sorted(inputs - declared) == []


def test_the_scan_sees_inputs_inside_partials() -> None:
    template = parse_template(ROOT / "prompts" / "product-title.fr.j2")
    used: set[str] = set()
    for _, part in template.parts:
        used |= _names_used(part, template.folders, set())
    assert {"product", "persona"} <= used
