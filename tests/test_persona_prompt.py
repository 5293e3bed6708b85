"""Every field of a persona sheet reaches a rendered prompt, in French and English; ``client``
is the buyer kind; compact prompts carry the reader in a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from copyassist import prepare
from copyassist.cli import app
from copyassist.errors import PersonaError
from copyassist.persona import Persona, load_persona, validate_persona_file
from tests.helpers import assert_exited

runner = CliRunner()
PRODUCT = {
    "title": "Lampe de chevet Lumio",
    "brand": "Lumio",
    "description": "Lampe de chevet en chêne massif, abat-jour en lin, variateur tactile.",
    "features": ["chêne massif", "variateur tactile"],
}
#: each field with a value no template or product says by itself
SHEET: dict[str, Any] = {
    "kind": "buyer",
    "name": "Odile, lectrice du soir",
    "language": "fr",
    "bio": "Bibliothécaire à Nantes",
    "demographics": {"age_range": "AGE-55-65", "gender": "GENDER-femme", "location": "LOC-Nantes",
                     "income": "INCOME-2400", "family": "FAMILY-veuve"},
    "psychographics": {"interests": ["INTEREST-romans"], "habits": ["HABIT-lit-au-lit"],
                       "lifestyle": "LIFESTYLE-calme", "attitudes": ["ATTITUDE-durable"]},
    "personality": ["TRAIT-patiente"],
    "goals": ["GOAL-lire-longtemps"],
    "needs": ["NEED-lumiere-chaude"],
    "motivations": ["MOTIVE-confort"],
    "pain_points": ["PAIN-eblouissement"],
    "objections": ["OBJECTION-trop-cher"],
    "skills": ["SKILL-reliure"],
    "digital_skills": ["DIGITAL-tablette"],
    "information_sources": ["SOURCE-libraire"],
    "channels": ["CHANNEL-marketplace"],
    "favourite_brands": ["BRAND-Ikeo"],
    "tone": "TONE-doux",
    "vocabulary": ["WORD-cosy"],
}  # fmt: skip
#: fields for the copy (product templates); the rest shape the marketing plans, where they are
#: what the plan is about (which channels, which sources, which brands to work with)
FOR_THE_COPY = [
    k for k in SHEET if k not in ("language", "information_sources", "channels", "favourite_brands")
]
FOR_THE_PLANS = ["information_sources", "channels", "favourite_brands"]


def _markers(field: str) -> list[str]:
    value = SHEET[field]
    if isinstance(value, dict):
        return [v if isinstance(v, str) else v[0] for v in value.values()]
    return [value] if isinstance(value, str) else list(value)


def _prompt(template: str, language: str, **options: Any) -> str:
    prepared = prepare(template, PRODUCT, persona=SHEET, language=language, **options)
    return "\n".join(m["content"] for m in prepared.messages)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("field", FOR_THE_COPY)
def test_each_field_of_the_sheet_reaches_the_copy_prompt(field: str, language: str) -> None:
    text = _prompt("product-description", language)
    if field == "kind":
        assert {"fr": "choisit et qui paie", "en": "chooses and pays"}[language] in text
    else:
        for marker in _markers(field):
            assert marker in text, f"{field}: {marker}"


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("field", FOR_THE_PLANS)
def test_the_fields_about_channels_reach_the_plans(field: str, language: str) -> None:
    text = _prompt("influencer-plan", language, category="luminaires")
    for marker in _markers(field):
        assert marker in text


def test_the_sheets_language_does_not_set_the_copys() -> None:
    english_product = {"title": "Oak bedside lamp", "description": "A solid oak lamp with a linen shade."}
    prepared = prepare("product-description", english_product, persona=SHEET)
    assert prepared.template.language == "en"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_kind_says_who_the_reader_is(language: str) -> None:
    texts = set()
    for kind in ("user", "buyer", "marketing"):
        prepared = prepare("bullets", PRODUCT, persona={**SHEET, "kind": kind}, language=language)
        texts.add("\n".join(m["content"] for m in prepared.messages))
    assert len(texts) == 3


def test_the_profile_is_for_choosing_examples_not_for_the_text() -> None:
    text = _prompt("product-description", "fr")
    assert "sans jamais écrire son âge" in text
    assert "without ever writing their age" in _prompt("product-description", "en")


# -- compact prompts: the reader in one line --------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("template", ["product-description", "bullets"])
def test_compact_prompts_carry_the_reader_briefly(template: str, language: str) -> None:
    bare = prepare(template, PRODUCT, language=language, compact=True)
    with_persona = prepare(template, PRODUCT, persona="busy-parent", language=language, compact=True)
    full = prepare(template, PRODUCT, persona="busy-parent", language=language)
    persona = load_persona("busy-parent")
    text = "\n".join(m["content"] for m in with_persona.messages)
    assert persona.name in text and persona.needs[0] in text and persona.pain_points[0] in text
    size = sum(len(m["content"]) for m in with_persona.messages)
    added = size - sum(len(m["content"]) for m in bare.messages)
    assert 0 < added < 450, "one line about the reader"
    assert size < 0.6 * sum(len(m["content"]) for m in full.messages)


def test_a_compact_title_keeps_to_the_facts() -> None:
    bare = prepare("product-title", PRODUCT, language="fr", compact=True)
    with_persona = prepare("product-title", PRODUCT, persona="busy-parent", language="fr", compact=True)
    assert with_persona.messages == bare.messages


# -- kinds --------------------------------------------------------------------------------------

MINIMAL = (
    "kind: {kind}\nname: Odile\nbio: Bibliothécaire à Nantes.\ngoals: [lire]\npain_points: [éblouissement]\n"
)


def test_client_is_the_buyer_kind(tmp_path: Path) -> None:
    path = tmp_path / "odile.yaml"
    path.write_text(MINIMAL.format(kind="client"), encoding="utf-8")
    assert validate_persona_file(path).kind == "buyer"
    assert Persona.model_validate({**SHEET, "kind": "Client"}).kind == "buyer"
    result = runner.invoke(app, ["personas", "validate", str(path)])
    assert_exited(result, 0)
    assert "buyer" in result.output


def test_an_unknown_kind_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "odile.yaml"
    path.write_text(MINIMAL.format(kind="customer"), encoding="utf-8")
    with pytest.raises(PersonaError) as caught:
        validate_persona_file(path)
    message = str(caught.value)
    assert "\n" not in message and "'customer'" in message and "client" in message and "marketing" in message
    result = runner.invoke(app, ["personas", "validate", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "customer" in result.output


DRAFT: dict[str, Any] = {
    "kind": "client", "name": "Odile, lectrice du soir", "language": "fr",
    "bio": "Bibliothécaire de 60 ans à Nantes, lit tous les soirs.",
    "demographics": {"age_range": "55-65", "gender": "femme", "location": "Nantes, ville",
                     "income": "2 400 EUR net par mois", "family": "veuve"},
    "psychographics": {"interests": ["romans"], "habits": ["achète en librairie"], "lifestyle": "Calme.",
                       "attitudes": ["préfère ce qui dure"]},
    "personality": ["patiente"], "goals": ["lire longtemps sans fatigue"], "needs": ["une lumière chaude"],
    "motivations": ["le confort"], "pain_points": ["les lampes qui éblouissent"],
    "objections": ["« Et si la lumière est trop blanche ? »"], "skills": ["reliure"],
    "digital_skills": ["tablette"], "information_sources": ["son libraire"], "channels": ["Fnac.com"],
    "favourite_brands": ["Fnac"], "tone": "Doux et précis", "vocabulary": ["cosy"],
}  # fmt: skip


def test_a_drafted_client_is_a_buyer_and_the_kind_can_be_asked(tmp_path: Path, monkeypatch: Any) -> None:
    from tests.helpers import FakeBackend

    backend = FakeBackend([DRAFT])
    monkeypatch.setattr("copyassist.pipeline.get_backend", lambda *a, **k: backend)
    args = ["personas", "new", "une lectrice du soir", "--dir", str(tmp_path), "--kind", "client"]
    result = runner.invoke(app, args)
    assert_exited(result, 0)
    assert "kind: buyer" in backend.calls[0][-1]["content"], "the brief says the kind asked for"
    saved = validate_persona_file(next(tmp_path.glob("*.yaml")))
    assert saved.kind == "buyer"
    again = runner.invoke(app, [*args[:-1], "user", "--name", "odile-2"])
    assert_exited(again, 0)
    assert validate_persona_file(tmp_path / "odile-2.yaml").kind == "user"


def test_an_unknown_kind_for_a_draft_fails_before_any_call(monkeypatch: Any) -> None:
    from tests.helpers import FakeBackend

    backend = FakeBackend([DRAFT])
    monkeypatch.setattr("copyassist.pipeline.get_backend", lambda *a, **k: backend)
    result = runner.invoke(app, ["personas", "new", "une lectrice", "--kind", "customer"])
    assert result.exit_code == 2 and backend.calls == []
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "'customer'" in lines[0] and lines[0].endswith("(option --kind)")
