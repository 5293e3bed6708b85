"""The brand file: strict validation in one line, the prompt partial, the user folder's default,
and the CLI and batch options that carry it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from copyassist.batch.run_settings import settings_for
from copyassist.brand import Brand, brand_option, load_brand, resolve_brand
from copyassist.cli import app
from copyassist.errors import ConfigError
from copyassist.pipeline import prepare
from tests.helpers import ROOT, assert_exited

PRODUCT = {"title": "Marinière homme coton bio", "brand": "Atelier Lanvéoc", "features": ["Col bateau"]}
COPY_TEMPLATES = ("aida", "bab", "bullets", "faq", "ppp", "product-description", "product-title",
                  "seo-rewrite", "seo", "sss")  # fmt: skip


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_brand(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


def test_the_example_brand_file_is_valid() -> None:
    brand = load_brand(ROOT / "examples" / "brand.yaml")
    assert brand.name == "Atelier Lanvéoc" and brand.register == "vous"
    assert brand.spelling["email"] == "e-mail"
    assert [m.fields for m in brand.mandatory_mentions] == [[], ["description", "bullets"]]
    assert 1 <= len(brand.examples) <= 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("registre: tu\n", "unknown field 'registre' (did you mean 'register'?)"),
        ("register: toi\n", "field 'register': must be vous or tu, not 'toi'"),
        (
            "mandatory_mentions:\n  - txt: x\n",
            "unknown field 'mandatory_mentions[0].txt' (did you mean 'text'?)",
        ),
        ("avoid: pas cher\n", "field 'avoid': expected a list"),
        ("name: [unclosed\n", "YAML syntax error at line 2"),
        ("- a\n- b\n", "expected a mapping of brand fields, got a list"),
        ("", "the brand file is empty"),
        ("spelling:\n  email: email\n", "spelt the same way on both sides"),
        ("examples:\n" + "  - title: t\n" * 6, "field 'examples': at most 5 items"),
        ("name: !!python/object:os.system x\n", "tag '!!python/object:os.system' is not allowed"),
    ],
)
def test_a_bad_brand_file_is_one_line_naming_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _error(_write(tmp_path / "brand.yaml", text))


def test_a_misspelt_key_does_not_also_report_the_field_it_meant(tmp_path: Path) -> None:
    message = _error(_write(tmp_path / "b.yaml", "mandatory_mentions:\n  - txt: x\n"))
    assert "missing" not in message


def test_register_words_and_plain_values_are_read_as_text(tmp_path: Path) -> None:
    brand = load_brand(_write(tmp_path / "b.yaml", "register: Tutoiement\navoid: [no, 100 %]\n"))
    assert brand.register == "tu" and brand.avoid == ["no", "100 %"]
    assert Brand().register == "vous"  # the default


def test_a_missing_file_and_a_bad_mapping_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such brand file"):
        load_brand(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError) as caught:
        resolve_brand({"voix": "sobre"})
    assert str(caught.value) == "brand_voice: unknown field 'voix' (did you mean 'voice'?)"


def _system(template: str, language: str = "fr", **options: object) -> str:
    return prepare(template, PRODUCT, language=language, **options).messages[0]["content"]


def test_the_partial_renders_voice_register_and_rules() -> None:
    brand = {"name": "Atelier Lanvéoc", "voice": "Sobre,\nconcrète.", "register": "tu",
             "avoid": ["incontournable", "!pas incontournable"], "keep_untranslated": ["Penmarc'h"],
             "spelling": {"email": "e-mail"}, "mandatory_mentions": ["Tricoté en Bretagne"]}  # fmt: skip
    system = _system("product-description", brand_voice=brand)
    assert "Voix de la marque : Sobre, concrète." in system
    assert "tutoie-le" in system and "vouvoie" not in system
    assert "N'emploie jamais ces mots, expressions ou allégations : incontournable." in system
    assert "Penmarc'h" in system and "« e-mail » et non « email »" in system
    assert "« Tricoté en Bretagne »" in system
    english = _system("product-description", "en", brand_voice=brand)
    assert "Brand voice: Sobre, concrète." in english and "Never use these words" in english


def test_the_register_is_vous_by_default_and_with_a_brand_that_says_nothing() -> None:
    assert "vouvoie-le, sauf si le ton demandé appelle le tutoiement" in _system("bullets")
    with_brand = _system("bullets", brand_voice={"name": "X"})
    assert "vouvoie-le : la marque vouvoie ses clients" in with_brand and "tutoi" not in with_brand


def test_a_title_prompt_is_not_told_of_the_description_mentions() -> None:
    brand = {
        "name": "X",
        "mandatory_mentions": ["Tricoté en Bretagne", {"text": "Titré", "fields": ["title"]}],
    }
    title = _system("product-title", brand_voice=brand)
    assert "Titré" in title and "Tricoté en Bretagne" not in title
    assert "Tricoté en Bretagne" in _system("product-description", brand_voice=brand)


@pytest.mark.parametrize("template", COPY_TEMPLATES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_copy_template_ends_its_system_part_with_the_brand(template: str, language: str) -> None:
    inputs = {"text": "Une marinière en coton."} if template == "seo-rewrite" else {}
    for compact in (False, True):
        brand = {"name": "Zorglub", "voice": "Sobre."}
        system = _system(template, language, brand_voice=brand, compact=compact, **inputs)
        last = system.split("Zorglub")[-1]
        assert last.strip().endswith("Sobre."), (template, compact)
        assert "Zorglub" not in _system(template, language, compact=compact, **inputs)


def test_no_french_copy_template_asks_for_vous_against_a_tu_brand() -> None:
    for template in COPY_TEMPLATES:
        inputs = {"text": "Une marinière."} if template == "seo-rewrite" else {}
        for compact in (False, True):
            system = _system(template, brand_voice={"register": "tu"}, compact=compact, **inputs)
            assert "vouvoie" not in system.casefold() and "« vous »" not in system, (template, compact)


def test_the_user_folder_brand_is_the_default_and_no_brand_turns_it_off(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    _write(isolated_home / "brand.yaml", "name: Maison Défaut\nvoice: Joueuse.\n")
    assert "Maison Défaut" in _system("product-title")
    assert "Maison Défaut" not in _system("product-title", brand_voice=False)
    assert resolve_brand(None) == load_brand(isolated_home / "brand.yaml")
    options = settings_for("product-title", "fr").options
    assert options["brand_voice"]["name"] == "Maison Défaut"  # a batch keys rows on it too
    assert settings_for("product-title", "fr", brand_voice=False).options["brand_voice"] is False


def test_a_batch_keeps_the_brand_content_so_a_changed_file_changes_the_key(tmp_path: Path) -> None:
    path = _write(tmp_path / "brand.yaml", "name: Lanvéoc\navoid: [pas cher]\n")
    first = settings_for("product-title", "fr", brand_voice=str(path)).options["brand_voice"]
    assert first["avoid"] == ["pas cher"]
    _write(path, "name: Lanvéoc\navoid: [pas cher, incontournable]\n")
    second = settings_for("product-title", "fr", brand_voice=str(path)).options["brand_voice"]
    assert second != first and second["avoid"] == ["pas cher", "incontournable"]
    assert "brand_voice" not in settings_for("product-title", "fr").options  # none: keys as before
    assert brand_option(False) is False


def test_cli_brand_file_errors_are_one_line_with_the_flag(tmp_path: Path) -> None:
    bad = _write(tmp_path / "brand.yaml", "register: toi\n")
    product = _write(tmp_path / "p.json", '{"title": "Marinière"}')
    for command in (["render", "product-title"], ["generate", "product-title"]):
        flags = ["-p", str(product), "--lang", "fr", "--brand-file", str(bad), "--provider", "compatible",
                 "--base-url", "http://127.0.0.1:9/v1"]  # fmt: skip
        result = CliRunner().invoke(app, [*command, *flags])
        assert_exited(result, 2)
        assert "must be vous or tu, not 'toi'" in result.output and "--brand-file" in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_cli_render_shows_the_brand_and_no_brand_leaves_it_out(tmp_path: Path) -> None:
    product = _write(tmp_path / "p.json", '{"title": "Marinière"}')
    common = ["render", "product-description", "-p", str(product), "--lang", "fr", "--full-prompts",
              "--brand-file", str(ROOT / "examples" / "brand.yaml")]  # fmt: skip
    shown = CliRunner().invoke(app, common)
    assert_exited(shown, 0)
    assert "Charte de la marque Atelier Lanvéoc" in shown.output
    without = CliRunner().invoke(app, [*common, "--no-brand"])
    assert_exited(without, 0)
    assert "Charte de la marque" not in without.output


def test_cli_brand_check_validates_a_file_or_the_user_folders(tmp_path: Path, isolated_home: Path) -> None:
    shown = CliRunner().invoke(app, ["brand", "check", str(ROOT / "examples" / "brand.yaml")])
    assert_exited(shown, 0)
    assert "valid brand file for Atelier Lanvéoc" in shown.output and "6 to avoid" in shown.output
    bad = CliRunner().invoke(app, ["brand", "check", str(_write(tmp_path / "b.yaml", "voix: x\n"))])
    assert_exited(bad, 2)
    assert "did you mean 'voice'" in bad.output and len(bad.output.strip().splitlines()) == 1
    none = CliRunner().invoke(app, ["brand", "check"])
    assert_exited(none, 2)
    assert "no brand.yaml in the user folder" in none.output
    isolated_home.mkdir(parents=True, exist_ok=True)
    _write(isolated_home / "brand.yaml", "register: tu\n")
    mine = CliRunner().invoke(app, ["brand", "check"])
    assert_exited(mine, 0)
    assert "register: tu" in mine.output


def test_the_brand_files_examples_are_the_prompts_few_shot_unless_examples_are_given() -> None:
    from copyassist import prepare

    brand = {"name": "Maison Test", "examples": [{"title": "Bougie Exemplia cire de soja 180 g"}]}
    product = {"title": "Lampe de bureau LED", "brand": "Lumio"}
    shown = prepare("product-title", product, language="fr", brand_voice=brand)
    assert "Bougie Exemplia" in "\n".join(m["content"] for m in shown.messages)
    given = [{"title": "Tasse Autrement grès 30 cl"}]
    instead = prepare("product-title", product, language="fr", brand_voice=brand, examples=given)
    text = "\n".join(m["content"] for m in instead.messages)
    assert "Tasse Autrement" in text and "Bougie Exemplia" not in text
