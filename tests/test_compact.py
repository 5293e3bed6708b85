"""Compact prompts: sent to the embedded model by default, to any backend with compact=True."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import copyassist
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.compact import compact_variant
from copyassist.pipeline import prepare
from copyassist.templates import load_template
from tests.helpers import FakeBackend

PRODUCT = {
    "title": "Montre connectée Kairos S2",
    "brand": "Kairos",
    "features": ["GPS intégré", "Étanche 5 ATM"],
    "attributes": {"couleur": "Noir graphite"},
}
COMPACT_MARK = {"fr": "Exemple", "en": "Example"}
TEMPLATES = ("product-title", "product-description", "bullets", "seo")
ANSWERS: dict[str, dict[str, Any]] = {
    "product-title": {"title": "Kairos S2 montre connectée GPS étanche 5 ATM noir graphite"},
    "bullets": {"bullets": ["GPS intégré : vos sorties suivies sans téléphone."]},
}


class LocalLike(FakeBackend):
    name = "local"


def _sent(backend: FakeBackend) -> str:
    return "\n".join(m["content"] for m in backend.calls[0])


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_copy_template_has_a_shorter_compact_version(template: str, language: str) -> None:
    full = load_template(template, language)
    compact = compact_variant(full)
    assert compact.path != full.path and compact.path.parent.name == "compact"
    assert compact.output_model is full.output_model and compact.meta.inputs == full.meta.inputs
    assert compact.parameters["max_tokens"] < full.parameters["max_tokens"]
    long = prepare(full, PRODUCT)
    short = prepare(template, PRODUCT, language=language, compact=True)
    size = sum(len(m["content"]) for m in short.messages)
    assert size < 0.8 * sum(len(m["content"]) for m in long.messages)
    text = "\n".join(m["content"] for m in short.messages)
    assert COMPACT_MARK[language] in text, "one example"
    for fact in ("Kairos", "GPS intégré", "Étanche 5 ATM", "Noir graphite"):
        assert fact in text


def test_title_max_tokens_is_sized_to_the_field() -> None:
    sizes = {t: compact_variant(load_template(t, "fr")).parameters["max_tokens"] for t in TEMPLATES}
    assert sizes["product-title"] < sizes["seo"] < sizes["product-description"]


def test_the_embedded_model_gets_compact_prompts_by_default() -> None:
    local = LocalLike([ANSWERS["product-title"]])
    result = copyassist.generate("product-title", PRODUCT, language="fr", backend=local)
    assert "Exemple de début de titre" in _sent(local)
    assert local.params[0]["max_tokens"] == 80 and result.status == "ok"
    assert "Exemple de début de titre" in "\n".join(m["content"] for m in result.messages)


def test_other_backends_get_full_prompts_unless_asked() -> None:
    remote = FakeBackend([ANSWERS["product-title"]])
    copyassist.generate("product-title", PRODUCT, language="fr", backend=remote)
    assert "Exemple de début de titre" not in _sent(remote) and remote.params[0]["max_tokens"] == 300
    asked = FakeBackend([ANSWERS["product-title"]])
    copyassist.generate("product-title", PRODUCT, language="fr", backend=asked, compact=True)
    assert "Exemple de début de titre" in _sent(asked)


def test_the_embedded_model_can_be_sent_full_prompts() -> None:
    local = LocalLike([ANSWERS["product-title"]])
    copyassist.generate("product-title", PRODUCT, language="fr", backend=local, compact=False)
    assert "Exemple de début de titre" not in _sent(local)


def test_a_users_template_without_a_compact_version_is_sent_whole(tmp_path: Path) -> None:
    source = load_template("product-title", "fr").path.read_text(encoding="utf-8")
    (tmp_path / "product-title.fr.j2").write_text(
        source.replace("Rédige le titre", "MON TEXTE. Rédige"), "utf-8"
    )
    local = LocalLike([ANSWERS["product-title"]])
    copyassist.generate("product-title", PRODUCT, language="fr", backend=local, prompts_dirs=[tmp_path])
    assert "MON TEXTE" in _sent(local), "the user's template, not the bundled compact one"


def test_a_batch_sends_compact_prompts_when_asked(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    with feed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand", "language"])
        writer.writerow(["K1", "Montre connectée Kairos S2", "Kairos", "fr"])
    backend = FakeBackend([ANSWERS["bullets"]])
    with Store(tmp_path / "s.db") as store:
        copyassist.run_batch(feed, tmp_path / "out.csv", template="bullets", backend=backend, store=store,
                             compact=True)  # fmt: skip
    assert "Exemple de début de puce" in _sent(backend)


def test_render_shows_the_compact_prompt_with_the_flag() -> None:
    runner = CliRunner()
    base = ["render", "bullets", "--provider", "openai", "--lang", "en", "--set", "title=Kairos S2 watch"]
    full = runner.invoke(app, base)
    compact = runner.invoke(app, [*base, "--compact"])
    assert full.exit_code == 0 and compact.exit_code == 0, compact.output
    assert "Example of how a bullet" in compact.output
    assert "Example of how a bullet" not in full.output


def _one_row_feed(tmp_path: Path) -> Path:
    feed = tmp_path / "feed.csv"
    with feed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand", "language"])
        writer.writerow(["K1", "Montre connectée Kairos S2", "Kairos", "fr"])
    return feed


def test_a_row_written_with_full_prompts_is_not_reused_for_compact_ones(tmp_path: Path) -> None:
    feed = _one_row_feed(tmp_path)
    with Store(tmp_path / "s.db") as store:
        full = LocalLike([ANSWERS["product-title"]])
        copyassist.run_batch(feed, tmp_path / "a.csv", template="product-title", backend=full, store=store,
                             compact=False)  # fmt: skip
        by_default = LocalLike([ANSWERS["product-title"]])  # the embedded model: compact by default
        copyassist.run_batch(feed, tmp_path / "b.csv", template="product-title", backend=by_default,
                             store=store)  # fmt: skip
        again = LocalLike([ANSWERS["product-title"]])
        copyassist.run_batch(feed, tmp_path / "c.csv", template="product-title", backend=again,
                             store=store, compact=True)  # fmt: skip
    assert full.params and by_default.params  # compact prompts: new calls, not the full prompts' row
    assert again.params == []  # compact asked for is compact by default: the same row


def test_full_prompts_by_default_keep_the_keys_made_before_compact_prompts(tmp_path: Path) -> None:
    feed = _one_row_feed(tmp_path)
    with Store(tmp_path / "s.db") as store:
        first = FakeBackend([ANSWERS["product-title"]])
        copyassist.run_batch(feed, tmp_path / "a.csv", template="product-title", backend=first, store=store)
        second = FakeBackend([ANSWERS["product-title"]])
        copyassist.run_batch(feed, tmp_path / "b.csv", template="product-title", backend=second,
                             store=store, compact=False)  # fmt: skip
    assert first.params and second.params == []
