"""Persona sheets: the bundled ones, strict validation, safe YAML, lookup precedence."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
import yaml

from copyassist.assets import bundled_dir
from copyassist.errors import AssetError, PersonaError
from copyassist.persona import (
    MAX_FILE_BYTES,
    Persona,
    list_personas,
    load_persona,
    validate_persona_file,
)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "personas").glob("*.y*ml"))

MINIMAL = """\
kind: user
name: {name}
language: en
bio: 40-year-old test persona in Paris.
goals: [finish the tests]
pain_points: [flaky tests]
"""


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("COPYASSIST_HOME", str(folder))
    monkeypatch.delenv("COPYASSIST_PERSONAS_PATH", raising=False)
    return folder


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(PersonaError) as caught:
        validate_persona_file(path)
    message = str(caught.value)
    assert "\n" not in message, message
    assert str(path) in message, message
    assert caught.value.path == str(path)
    return message


# --- the bundled sheets ------------------------------------------------------------------------


def test_at_least_ten_personas_ship_in_both_languages() -> None:
    assert len(SHIPPED) >= 10
    languages = {validate_persona_file(p).language for p in SHIPPED}
    assert languages == {"fr", "en"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_bundled_persona_validates_and_is_filled_in(path: Path) -> None:
    persona = validate_persona_file(path)
    assert persona.slug == path.stem
    assert persona.path == path
    for field in ("needs", "objections", "vocabulary", "channels", "favourite_brands"):
        assert getattr(persona, field), f"{path.name}: {field} is empty"
    assert persona.tone
    assert set(persona.goals).isdisjoint(persona.needs), "goals (why) and needs (how) differ"


def test_bundled_personas_are_listed_from_the_bundled_folder() -> None:
    listed = {info.name: info for info in list_personas()}
    assert {p.stem for p in SHIPPED} <= set(listed)
    info = listed["b2b-procurement"]
    assert (info.kind, info.language, info.error) == ("buyer", "fr", None)
    assert info.source == bundled_dir("personas")
    assert info.path.parent == info.source


def test_documented_persona_fields_match_the_model() -> None:
    doc = (ROOT / "docs" / "templates.md").read_text("utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| `persona` |"))
    documented = set(re.findall(r"`(\w+)`", row.split("|")[3]))
    assert documented == set(Persona.model_fields) - {"language"}


def test_context_is_plain_data_for_templates() -> None:
    context = load_persona("tech-enthusiast").to_context()
    assert context["kind"] == "user"
    assert isinstance(context["goals"], list) and isinstance(context["demographics"], dict)
    assert isinstance(context["tone"], str)


# --- strict validation, one-line errors ----------------------------------------------------------


def test_misspelt_key_is_named_with_the_file_and_a_suggestion(tmp_path: Path) -> None:
    text = MINIMAL.format(name="X").replace("pain_points:", "pain_point:")
    message = error_of(write(tmp_path / "personas", "x.yaml", text))
    assert "unknown field 'pain_point'" in message
    assert "did you mean 'pain_points'?" in message
    assert "x.yaml" in message
    assert "missing" not in message  # the typo already explains the missing field


def test_misspelt_nested_key_is_named(tmp_path: Path) -> None:
    text = MINIMAL.format(name="X") + "demographics:\n  agerange: 30-40\n"
    message = error_of(write(tmp_path, "x.yaml", text))
    assert "demographics.agerange" in message
    assert "did you mean 'age_range'?" in message


@pytest.mark.parametrize("field", ["goals", "pain_points", "bio", "kind", "name"])
def test_missing_required_field_is_named(tmp_path: Path, field: str) -> None:
    lines = [ln for ln in MINIMAL.format(name="X").splitlines() if not ln.startswith(field + ":")]
    message = error_of(write(tmp_path, "x.yaml", "\n".join(lines) + "\n"))
    assert f"missing required field '{field}'" in message


def test_wrong_values_are_explained(tmp_path: Path) -> None:
    text = MINIMAL.format(name="X").replace("kind: user", "kind: customer")
    assert "kind" in error_of(write(tmp_path, "a.yaml", text))
    text = MINIMAL.format(name="X").replace("[finish the tests]", "finish the tests")
    assert "field 'goals': expected a list" in error_of(write(tmp_path, "b.yaml", text))
    text = MINIMAL.format(name="X").replace("[finish the tests]", "[]")
    assert "'goals' needs at least one item" in error_of(write(tmp_path, "c.yaml", text))
    text = MINIMAL.format(name="X").replace("bio: 40", "bio: |\n  line one\n  line two\n  40")
    assert "field 'bio': must be a single line" in error_of(write(tmp_path, "d.yaml", text))


def test_yaml_syntax_error_is_one_line_with_the_line_number(tmp_path: Path) -> None:
    text = "kind: user\nname: X\ngoals: [a, b\nbio: broken\n"
    message = error_of(write(tmp_path, "x.yaml", text))
    assert "YAML syntax error" in message
    assert re.search(r"line [34]\b", message), message


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.format(name="X") + "goals: [second list silently wins]\n"
    message = error_of(write(tmp_path, "x.yaml", text))
    assert "duplicate key 'goals'" in message and "line 7" in message


def test_scalars_stay_text(tmp_path: Path) -> None:
    text = MINIMAL.format(name="Norway").replace("[flaky tests]", "[no, on, 2500, 2024-01-01]")
    persona = validate_persona_file(write(tmp_path, "x.yaml", text))
    assert persona.pain_points == ["no", "on", "2500", "2024-01-01"]


def test_empty_file_and_non_mapping_are_refused(tmp_path: Path) -> None:
    assert "empty" in error_of(write(tmp_path, "a.yaml", ""))
    assert "mapping" in error_of(write(tmp_path, "b.yaml", "- just\n- a list\n"))


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    text = MINIMAL.format(name="X") + "vocabulary:\n" + "  - word\n" * (MAX_FILE_BYTES // 8)
    message = error_of(write(tmp_path, "x.yaml", text))
    assert "larger than" in message


# --- unsafe YAML -----------------------------------------------------------------------------


def payloads(marker: Path) -> dict[str, str]:
    command = f'echo pwned > "{marker}"'
    return {
        "apply": f"goals: !!python/object/apply:os.system ['{command}']\n",
        "new": f"goals: !!python/object/new:os.system ['{command}']\n",
        "nested": f"goals:\n  - ok\n  - !!python/object/apply:os.system ['{command}']\n",
    }


@pytest.mark.parametrize("variant", ["apply", "new", "nested"])
def test_python_tags_are_refused_and_run_nothing(tmp_path: Path, variant: str) -> None:
    control = tmp_path / "control-marker"
    yaml.unsafe_load(payloads(control)[variant])  # proves the payload is live
    assert control.exists(), "the payload should run under an unsafe loader"

    marker = tmp_path / "marker"
    text = MINIMAL.format(name="X").replace("goals: [finish the tests]\n", "")
    path = write(tmp_path, "evil.yaml", text + payloads(marker)[variant])
    message = error_of(path)
    assert "python/object" in message and "not allowed" in message
    with pytest.raises(PersonaError):
        load_persona(path)
    assert not marker.exists()


def test_local_tags_are_refused(tmp_path: Path) -> None:
    text = MINIMAL.format(name="!custom X")
    assert "tag '!custom'" in error_of(write(tmp_path, "x.yaml", text))


def test_anchors_are_refused(tmp_path: Path) -> None:
    text = MINIMAL.format(name="X") + "needs: &n [a]\nmotivations: *n\n"
    message = error_of(write(tmp_path, "x.yaml", text))
    assert "anchors and aliases" in message and "line 7" in message


def test_alias_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 12)]
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    outcome: list[BaseException] = []

    def attempt() -> None:
        try:
            validate_persona_file(path)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=30)  # a guard against a hang only, not a benchmark
    assert not worker.is_alive(), "the alias bomb was being expanded"
    assert len(outcome) == 1 and isinstance(outcome[0], PersonaError)
    assert "anchors and aliases" in str(outcome[0])


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.format(name="X") + "needs: " + "[" * 5000 + "]" * 5000 + "\n"
    assert "nested more than" in error_of(write(tmp_path, "x.yaml", text))


# --- lookup and precedence ---------------------------------------------------------------------


def test_user_folder_overrides_a_bundled_persona(home: Path) -> None:
    bundled = load_persona("tech-enthusiast")
    write(home / "personas", "tech-enthusiast.yaml", MINIMAL.format(name="Mine"))
    assert load_persona("tech-enthusiast").name == "Mine"
    listed = [info for info in list_personas() if info.name == "tech-enthusiast"]
    assert len(listed) == 1
    assert listed[0].source == home / "personas"
    assert listed[0].display_name == "Mine" != bundled.name


def test_env_path_beats_user_folder_and_search_dirs_beat_both(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(home / "personas", "fitness-fan.yaml", MINIMAL.format(name="From home"))
    env_a, env_b = tmp_path / "env-a", tmp_path / "env-b"
    write(env_b, "fitness-fan.yml", MINIMAL.format(name="From env"))
    monkeypatch.setenv("COPYASSIST_PERSONAS_PATH", f"{env_a}{os.pathsep}{env_b}")
    assert load_persona("fitness-fan").name == "From env"
    explicit = write(tmp_path / "cli", "fitness-fan.yaml", MINIMAL.format(name="From --dir"))
    assert load_persona("fitness-fan", [explicit.parent]).name == "From --dir"
    info = next(i for i in list_personas([explicit.parent]) if i.name == "fitness-fan")
    assert info.source == explicit.parent


def test_unknown_name_lists_the_available_names(home: Path) -> None:
    write(home / "personas", "my-own.yaml", MINIMAL.format(name="Mine"))
    with pytest.raises(PersonaError) as caught:
        load_persona("tech-enthusiast-typo")
    message = str(caught.value)
    assert "\n" not in message
    assert "unknown persona 'tech-enthusiast-typo'" in message
    assert "did you mean 'tech-enthusiast'?" in message
    for name in ("my-own", "fitness-fan", "made-in-france", "b2b-procurement"):
        assert name in message
    assert isinstance(caught.value, AssetError)


def test_load_by_path_and_by_bare_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "custom.yml", MINIMAL.format(name="By path"))
    assert load_persona(path).name == "By path"
    assert load_persona(str(path)).slug == "custom"
    assert load_persona("fitness-fan.yaml").slug == "fitness-fan"  # not in cwd: looked up
    with pytest.raises(PersonaError, match="no such file"):
        load_persona(tmp_path / "missing.yaml")


def test_listing_survives_a_broken_user_file(home: Path) -> None:
    write(home / "personas", "broken.yaml", "kind: [\n")
    listed = {info.name: info for info in list_personas()}
    assert listed["broken"].error and "broken.yaml" in listed["broken"].error
    assert listed["broken"].kind is None
    assert listed["tech-enthusiast"].error is None
