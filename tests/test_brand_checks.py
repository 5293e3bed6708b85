"""The brand file's checks after generation: avoided words re-asked, spellings put right without
a call, mandatory mentions and names to keep; and the user's word lists, for every list."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from copyassist.audit import check
from copyassist.cli import app
from copyassist.pipeline import generate
from copyassist.rules.base import CheckContext, FieldRules
from copyassist.rules.brand_voice import check_register, check_spelling, fix_spelling
from copyassist.status import Status
from tests.helpers import ROOT, FakeBackend, assert_exited

PRODUCT = {
    "title": "Marinière homme coton bio Penmarc'h",
    "brand": "Lanvéoc",
    "category": "Vêtements homme",
    "features": ["Col bateau", "Coton biologique"],
    "description": "Marinière en coton biologique, coupe droite, col bateau.",
}
CLEAN_TITLE = "Lanvéoc Marinière homme Penmarc'h coton biologique, col bateau"
DESCRIPTION = {
    "headline": "La marinière Penmarc'h",
    "description": "Une marinière en coton biologique, coupe droite et col bateau.",
    "call_to_action": "Découvrez-la.",
}


def _generate(template: str, answers: list[Any], brand: dict[str, Any] | None, **options: Any) -> Any:
    backend = FakeBackend(answers)
    result = generate(template, PRODUCT, backend=backend, language="fr", brand_voice=brand, **options)
    return result, backend


def _rules(result: Any) -> list[str]:
    """The rules the kept answer breaks, or the model's best when a rule-built title replaced it."""
    return [v.rule for v in [*result.violations, *result.rejected]]


def test_an_avoided_word_is_re_asked_and_the_clean_answer_kept() -> None:
    brand = {"avoid": ["cocooning", "!pas cocooning"]}
    dirty = {"title": "Lanvéoc Marinière homme Penmarc'h cocooning, col bateau"}
    result, backend = _generate("product-title", [dirty, {"title": CLEAN_TITLE}], brand)
    assert result.status == Status.REPAIRED and result.output.title == CLEAN_TITLE
    assert "the brand does not use 'cocooning'" in backend.calls[1][-1]["content"]


def test_an_avoided_word_left_in_every_answer_is_flagged() -> None:
    dirty = {"title": "Lanvéoc Marinière homme Penmarc'h Cocooning, col bateau"}
    result, backend = _generate("product-title", [dirty], {"avoid": ["cocooning"]})
    assert result.status == Status.FALLBACK and "brand.avoided" in _rules(result)
    assert len(backend.calls) > 1  # re-asked, like a channel's word list
    clean, _ = _generate("product-title", [dirty], {"avoid": ["!Cocooning", "x"]})
    assert "brand.avoided" not in _rules(clean)  # an exception line only


def test_a_spelling_is_put_right_without_a_call_and_the_status_is_repaired() -> None:
    answer = {**DESCRIPTION, "call_to_action": "Une question ? Écrivez-nous par email, nous répondons vite."}
    result, backend = _generate("product-description", [answer], {"spelling": {"email": "e-mail"}})
    assert len(backend.calls) == 1
    assert result.output.call_to_action == "Une question ? Écrivez-nous par e-mail, nous répondons vite."
    assert result.status == Status.REPAIRED and "brand.spelling" not in _rules(result)
    untouched, _ = _generate("product-description", [DESCRIPTION], {"spelling": {"email": "e-mail"}})
    assert untouched.status == Status.OK


def test_the_spelling_check_and_fix_keep_case_and_leave_the_preferred_form() -> None:
    context = CheckContext(brand_voice={"spelling": {"T-shirt": "tee-shirt", "email": "e-mail"}})
    text = "Un T-shirt, un tshirt, un tee-shirt ; EMAIL ou e-mail."
    found = check_spelling("description", text, FieldRules(), context)
    assert {v.text for v in found} == {"T-shirt", "tshirt", "EMAIL"}
    assert all(v.rule == "brand.spelling" for v in found)
    fixed = fix_spelling(text, {"T-shirt": "tee-shirt", "email": "e-mail"})
    assert fixed == "Un Tee-shirt, un tee-shirt, un tee-shirt ; E-MAIL ou e-mail."
    # the wrong form inside the preferred one is left alone; accents count
    mail = fix_spelling("Un e-mail, un mail, un e mail.", {"mail": "e-mail"})
    assert mail == "Un e-mail, un e-mail, un e mail."
    accents = {"eco-responsable": "éco-responsable"}
    assert fix_spelling("écoresponsable, éco-responsable", accents) == "éco-responsable, éco-responsable"


def test_a_missing_mandatory_mention_is_flagged_in_its_fields_only() -> None:
    brand = {"mandatory_mentions": [{"text": "Tricoté en Bretagne"}]}
    result, _ = _generate("product-description", [DESCRIPTION], brand)
    missing = [v for v in result.violations if v.rule == "brand.mention_missing"]
    assert result.status == Status.FLAGGED and [v.field for v in missing] == ["description"]
    with_it = {**DESCRIPTION, "description": DESCRIPTION["description"] + " Tricoté en bretagne."}
    found, _ = _generate("product-description", [with_it], brand)
    assert "brand.mention_missing" not in _rules(found)  # case aside
    title, _ = _generate("product-title", [{"title": CLEAN_TITLE}], brand)
    assert title.status == Status.OK  # a description's mention is not a title's


def test_a_mention_carried_word_for_word_is_neither_an_echo_nor_an_invented_figure() -> None:
    mention = "Tricoté en Bretagne, dans notre atelier de Lanvéoc depuis 1950"
    carried = {**DESCRIPTION, "description": f"{DESCRIPTION['description']} {mention}."}
    result, _ = _generate("product-description", [carried], {"mandatory_mentions": [mention]})
    assert result.status == Status.OK, result.violations
    without_brand, _ = _generate("product-description", [carried], None)
    assert "facts.unsupported" in _rules(without_brand)  # 1950 is in no data but the brand file


def test_a_mention_for_named_fields_is_required_there() -> None:
    brand = {"mandatory_mentions": [{"text": "Penmarc'h", "fields": ["title"]}]}
    result, _ = _generate("product-title", [{"title": "Lanvéoc Marinière homme coton biologique"}], brand)
    assert [(v.rule, v.field) for v in result.rejected] == [("brand.mention_missing", "title")]
    assert result.status == Status.FALLBACK and "Penmarc'h" in result.output.title  # the data's own title


def test_a_name_to_keep_translated_or_altered_is_flagged() -> None:
    brand = {"keep_untranslated": ["Penmarc'h"]}
    translated = {"title": "Lanvéoc Breton sailor top for men, organic cotton"}
    backend = FakeBackend([translated])
    result = generate("product-title", PRODUCT, backend=backend, language="en", brand_voice=brand)
    assert "brand.untranslated" in _rules(result)
    altered, _ = _generate("product-title", [{"title": CLEAN_TITLE.replace("Penmarc'h", "PENMARC'H")}], brand)
    assert any(v.rule == "brand.untranslated" and v.text == "PENMARC'H" for v in altered.rejected)
    kept, _ = _generate("product-title", [{"title": CLEAN_TITLE}], brand)
    assert kept.status == Status.OK


def _user_list(home: Path, name: str, *lines: str) -> None:
    folder = home / "wordlists"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(lines) + "\n", "utf-8")


def test_a_user_promotional_list_is_honoured(isolated_home: Path) -> None:
    title = {"title": "Lanvéoc Marinière homme Penmarc'h coton biologique, trop canon"}
    before, _ = _generate("product-title", [title], None)
    assert "title.promotional" not in _rules(before)
    _user_list(isolated_home, "promotional.fr.txt", "# mine", "trop canon")
    after, _ = _generate("product-title", [title], None)
    assert any(v.rule == "title.promotional" and v.text == "trop canon" for v in after.rejected)


def test_every_user_word_list_adds_to_the_bundled_one(isolated_home: Path) -> None:
    answer = {**DESCRIPTION, "call_to_action": "Découvrez-la. Rédigé par la machine à écrire."}
    before, _ = _generate("product-description", [answer], None)
    _user_list(isolated_home, "ai_disclaimer.fr.txt", "rédigé par la machine à écrire")
    after, _ = _generate("product-description", [answer], None)
    assert len(after.violations) > len(before.violations)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_batch_with_a_brand_file_flags_a_forbidden_word(
    tmp_path: Path, serve: Callable[..., tuple[str, Any]]
) -> None:
    base_url, server = serve()
    brand = tmp_path / "brand.yaml"
    brand.write_text("name: Kairos\navoid:\n  - connectée\n", "utf-8")
    out, db = tmp_path / "out.csv", tmp_path / "store.sqlite3"
    command = ["batch", str(ROOT / "examples" / "feed.csv"), "-t", "product-title", "-o", str(out),
               "--provider", "compatible", "--base-url", base_url, "--model", "fake-model", "--db", str(db),
               "--no-report", "--attempts", "1"]  # fmt: skip
    plain = CliRunner().invoke(app, command)
    assert_exited(plain, 0)
    rows = {r["sku"]: r for r in _read_csv(out)}
    assert "brand.avoided" not in rows["KRS-S2-BLK"]["copyassist_violations"]
    branded = CliRunner().invoke(app, [*command, "--brand-file", str(brand)])
    assert_exited(branded, 0)
    rows = {r["sku"]: r for r in _read_csv(out)}
    assert rows["KRS-S2-BLK"]["copyassist_status"] == "flagged"
    assert "brand.avoided" in rows["KRS-S2-BLK"]["copyassist_violations"]
    assert "brand.avoided" not in rows["ATL-MAR-M"]["copyassist_violations"]
    # the brand's content is in each row's store key: the same file again costs nothing, an
    # edited one writes every row again
    calls = server.stats(prompts=False)["requests"]
    assert_exited(CliRunner().invoke(app, [*command, "--brand-file", str(brand)]), 0)
    assert server.stats(prompts=False)["requests"] == calls
    brand.write_text("name: Kairos\navoid:\n  - connectée\n  - marinière\n", "utf-8")
    assert_exited(CliRunner().invoke(app, [*command, "--brand-file", str(brand)]), 0)
    assert server.stats(prompts=False)["requests"] - calls >= len(rows)
    rows = {r["sku"]: r for r in _read_csv(out)}
    assert "brand.avoided" in rows["ATL-MAR-M"]["copyassist_violations"]


def test_a_listing_batch_with_a_brand_file_flags_each_field_using_the_word(
    tmp_path: Path, serve: Callable[..., tuple[str, Any]]
) -> None:
    base_url, _ = serve()
    brand = tmp_path / "brand.yaml"
    brand.write_text("avoid:\n  - connectée\n", "utf-8")
    out = tmp_path / "out.jsonl"
    command = ["batch", str(ROOT / "examples" / "feed.csv"), "-t", "listing", "-o", str(out),
               "--provider", "compatible", "--base-url", base_url, "--model", "fake-model",
               "--db", str(tmp_path / "s.db"), "--no-report", "--attempts", "1",
               "--brand-file", str(brand)]  # fmt: skip
    assert_exited(CliRunner().invoke(app, command), 0)
    rows = {r["sku"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    fields = rows["KRS-S2-BLK"]["copyassist_fields"]
    flagged = {name for name, part in fields.items() if any("brand.avoided" in v for v in part["violations"])}
    assert {"product-description", "bullets"} <= flagged
    other = rows["ATL-MAR-M"]["copyassist_fields"]
    assert not any("brand.avoided" in v for part in other.values() for v in part["violations"])


def test_check_holds_existing_listings_to_the_brand_file(tmp_path: Path) -> None:
    listings = tmp_path / "listings.csv"
    listings.write_text(
        "sku,title,description,brand\n"
        "A1,Marinière homme coton,Marinière incontournable au col bateau. Écrivez par email.,Lanvéoc\n"
        "A2,Marinière femme coton,Une marinière au col bateau. Tricoté en Bretagne.,Lanvéoc\n",
        "utf-8",
    )
    brand = tmp_path / "brand.yaml"
    brand.write_text(
        "avoid: [incontournable]\nmandatory_mentions: [Tricoté en Bretagne]\nspelling: {email: e-mail}\n"
    )
    report = check(listings, brand_voice=brand)
    first, second = ({v.rule for v in row.violations} for row in report.rows)
    assert {"brand.avoided", "brand.spelling", "brand.mention_missing"} <= first
    assert not {r for r in second if r.startswith("brand.")}
    assert not {
        r for row in check(listings).rows for r in (v.rule for v in row.violations) if r.startswith("brand.")
    }
    shown = CliRunner().invoke(app, ["check", str(listings), "--brand-file", str(brand), "--format", "json"])
    assert_exited(shown, 1)
    assert "brand.mention_missing" in shown.stdout


def _register(register: str, text: str, language: str = "fr") -> list[str]:
    context = CheckContext(language=language, brand_voice={"register": register})
    return [v.text for v in check_register("description", text, FieldRules(), context)]


def test_french_copy_in_the_other_register_is_flagged() -> None:
    assert _register("vous", "Offre-toi ta marinière : elle t'accompagne, tu verras. Le ton est juste.") == [
        "toi", "ta", "t'", "tu"]  # fmt: skip
    assert _register("tu", "Offrez-vous votre marinière et vos sorties.") == ["vous", "votre", "vos"]
    assert _register("vous", "Offrez-vous votre marinière, en toute saison.") == []
    assert _register("tu", "Tu vas adorer ta marinière.") == []
    assert _register("tu", "Enjoy your top, vous know.", "en") == []  # French copy only


def test_a_tu_brand_re_asks_copy_that_says_vous() -> None:
    vous = {**DESCRIPTION, "call_to_action": "Découvrez-la et offrez-vous la marinière."}
    tu = {**DESCRIPTION, "call_to_action": "Découvre-la et offre-toi la marinière."}
    result, backend = _generate("product-description", [vous, tu], {"register": "tu"})
    assert "the brand says 'tu' to its readers, not 'vous'" in backend.calls[1][-1]["content"]
    assert result.status == Status.REPAIRED and result.output.call_to_action == tu["call_to_action"]
