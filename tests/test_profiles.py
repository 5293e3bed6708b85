"""Channel profiles: the bundled data, lookup precedence, inheritance and strict loading."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from copyassist.errors import ConfigError
from copyassist.rules.base import FIELD_KINDS, FieldRules
from copyassist.rules.profiles import BUNDLED_DIR, list_profiles, load_profile

BUNDLED = sorted(BUNDLED_DIR.glob("*.yaml"))
CHANNELS = ("generic", "amazon", "google-shopping", "shopify", "rakuten-fr", "cdiscount", "meta-tags")
#: the European Amazon stores, each in its own language (tests/test_languages.py)
EU_CHANNELS = ("amazon-de", "amazon-es", "amazon-it")


@pytest.fixture(autouse=True)
def no_profiles_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COPYASSIST_PROFILES_PATH", raising=False)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(name_or_path: str | Path, *search_dirs: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_profile(name_or_path, search_dirs)
    message = str(caught.value)
    assert "\n" not in message, message
    return message


# --- the bundled data ------------------------------------------------------------------------


def test_every_channel_is_bundled() -> None:
    assert {path.stem for path in BUNDLED} == set(CHANNELS + EU_CHANNELS)
    assert [name for name, _ in list_profiles()] == sorted(CHANNELS + EU_CHANNELS)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_profile_loads(path: Path) -> None:
    profile = load_profile(path.stem)
    assert profile.name == path.stem
    assert profile.description
    assert profile.sources and all(url.startswith("https://") for url in profile.sources)
    assert set(profile.fields) <= set(FIELD_KINDS)
    assert all(isinstance(rules, FieldRules) for rules in profile.fields.values())
    assert load_profile(path) == profile  # by path or by name, the same profile


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_field_rules_are_commented(path: Path) -> None:
    """Each field kind's block says where its values come from (or that nothing is published)."""
    blocks = re.split(r"^  (?=\w+:\s*$)", path.read_text("utf-8").split("\nfields:\n", 1)[1], flags=re.M)
    for block in filter(None, blocks):
        assert "#" in block, f"{path.name}: no source comment in block {block.splitlines()[0]!r}"


@pytest.mark.parametrize(
    ("channel", "kind", "key", "expected"),
    [
        ("amazon", "title", "max_chars", 200),
        ("amazon", "title", "advised_max_chars", 80),
        ("amazon", "title", "forbidden_chars", "!$?_{}^¬¦"),
        ("amazon", "title", "max_word_repeats", 2),
        ("amazon", "bullets", "max_items", 5),
        ("amazon", "description", "html_allowed_tags", ("br",)),
        ("google-shopping", "title", "max_chars", 150),
        ("google-shopping", "title", "no_promotional", True),
        ("google-shopping", "title", "no_all_caps", True),
        ("google-shopping", "description", "max_chars", 5000),
        ("google-shopping", "bullets", "max_chars", 150),
        ("cdiscount", "title", "max_chars", 132),
        ("cdiscount", "title", "require_brand", True),
        ("cdiscount", "title", "no_offer_data", True),
        ("cdiscount", "description", "max_chars", 5000),
        ("cdiscount", "description", "no_offer_data", True),
        ("rakuten-fr", "title", "max_chars", 200),
        ("shopify", "seo_title", "max_chars", 70),
        ("shopify", "seo_title", "advised_max_chars", 60),
        ("shopify", "meta_description", "advised_max_chars", 160),
        ("meta-tags", "seo_title", "advised_max_chars", 60),
        ("meta-tags", "meta_description", "advised_max_chars", 160),
    ],
)
def test_channel_values_match_the_data(channel: str, kind: str, key: str, expected: object) -> None:
    assert getattr(load_profile(channel).rules_for(kind), key) == expected


def test_french_marketplaces_carry_the_french_rules() -> None:
    for channel in CHANNELS:
        profile = load_profile(channel)
        french = channel in ("rakuten-fr", "cdiscount")
        assert profile.french_environmental_claims is french, channel
        assert profile.language == ("fr" if french else None), channel


# --- inheritance -----------------------------------------------------------------------------


def test_child_gets_parent_rules_for_fields_it_does_not_set() -> None:
    generic, rakuten = load_profile("generic"), load_profile("rakuten-fr")
    for kind in ("bullets", "description", "seo_title", "meta_description", "faq"):
        assert rakuten.rules_for(kind) == generic.rules_for(kind), kind
    title = rakuten.rules_for("title")
    assert title.max_chars == 200  # the child's own value
    assert title.no_promotional and title.no_contacts  # generic's, kept key by key
    assert generic.rules_for("title").advised_max_chars == 150
    assert title.advised_max_chars is None  # null in the child removes the parent's value


def test_child_keys_win_key_by_key(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "fields:\n  title: {max_chars: 100, no_html: true}\nlanguage: en\n")
    write(
        tmp_path, "child.yaml", "inherits: base\nfields:\n  title: {max_chars: 50}\n  faq: {max_items: 3}\n"
    )
    profile = load_profile("child", [tmp_path])
    assert profile.name == "child" and profile.language == "en"
    assert profile.rules_for("title") == FieldRules(max_chars=50, no_html=True)
    assert profile.rules_for("faq").max_items == 3


def test_a_profile_inheriting_its_own_name_extends_the_next_one(tmp_path: Path) -> None:
    write(tmp_path, "amazon.yaml", "inherits: amazon\nfields:\n  title: {max_chars: 120}\n")
    title = load_profile("amazon", [tmp_path]).rules_for("title")
    assert title.max_chars == 120
    assert title.forbidden_chars == "!$?_{}^¬¦" and title.max_word_repeats == 2  # bundled amazon's


def test_inheritance_cycles_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "inherits: b\n")
    write(tmp_path, "b.yaml", "inherits: a\n")
    message = error_of("a", tmp_path)
    assert "cycle" in message and "a.yaml" in message and "b.yaml" in message


def test_unknown_parent_is_named_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yaml", "inherits: amazn\n")
    message = error_of("mine", tmp_path)
    assert str(path) in message and "'amazn'" in message and "did you mean 'amazon'" in message


def test_limits_that_contradict_after_inheritance_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "tight.yaml", "inherits: amazon\nfields:\n  title: {min_chars: 250}\n")
    message = error_of("tight", tmp_path)
    assert str(path) in message and "min_chars 250 is above max_chars 200" in message


# --- lookup precedence -----------------------------------------------------------------------


def test_profiles_path_overrides_a_bundled_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "shared"
    path = write(folder, "amazon.yaml", "name: amazon\nfields:\n  title: {max_chars: 10}\n")
    monkeypatch.setenv("COPYASSIST_PROFILES_PATH", os.pathsep.join([str(tmp_path / "missing"), str(folder)]))
    assert load_profile("amazon").rules_for("title") == FieldRules(max_chars=10)
    assert dict(list_profiles())["amazon"] == path
    assert dict(list_profiles())["cdiscount"] == BUNDLED_DIR / "cdiscount.yaml"


def test_search_dirs_beat_the_path_which_beats_the_user_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    write(isolated_home / "profiles", "x.yaml", "description: home\n")
    assert load_profile("x").description == "home"
    write(tmp_path / "env", "x.yaml", "description: env\n")
    monkeypatch.setenv("COPYASSIST_PROFILES_PATH", str(tmp_path / "env"))
    assert load_profile("x").description == "env"
    write(tmp_path / "given", "x.yml", "description: given\n")
    assert load_profile("x", [tmp_path / "given"]).description == "given"


def test_unknown_profile_lists_the_available_ones() -> None:
    message = error_of("amazn")
    assert "unknown profile 'amazn'" in message and "did you mean 'amazon'" in message
    assert all(name in message for name in CHANNELS)


def test_a_missing_file_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert str(missing) in error_of(missing)


# --- strict loading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "fields:\n  title: {max_char: 10}\n",
            "unknown key 'fields.title.max_char' (did you mean 'max_chars'?)",
        ),
        ("fields:\n  titel: {max_chars: 10}\n", "unknown field kind 'fields.titel' (did you mean 'title'?)"),
        ("inherit: generic\n", "unknown key 'inherit' (did you mean 'inherits'?)"),
        ("title: {max_chars: 10}\n", "field rules go under 'fields:'"),
        ("fields:\n  title: {max_chars: '200'}\n", "fields.title.max_chars must be a whole number"),
        ("fields:\n  title: {max_chars: true}\n", "fields.title.max_chars must be a whole number"),
        ("fields:\n  title: {max_chars: -1}\n", "fields.title.max_chars must be a whole number"),
        ("fields:\n  title: {no_html: 'yes please'}\n", "fields.title.no_html must be true or false"),
        ("fields:\n  title: {html_allowed_tags: b}\n", "html_allowed_tags must be a list of text items"),
        ("fields:\n  title: {no_html: true, html_allowed_tags: [b]}\n", "no_html and html_allowed_tags"),
        ("fields: [title]\n", "fields must map field kinds"),
        ("language: French\n", "language must be a lowercase ISO 639 code"),
        ("sources: https://example.com\n", "sources must be a list of text items"),
        ("description: 42\n", "description must be non-empty text"),
        ("- just\n- a list\n", "expected a mapping"),
        ("fields:\n  title: {max_chars: 1}\n  title: {max_chars: 2}\n", "duplicate key 'title'"),
        ("fields: {title: [\n", "YAML syntax error at line 2"),
        (
            "name: !!python/object/apply:os.system ['echo unsafe']\n",
            "invalid YAML at line 1: tag '!!python/object/apply:os.system' is not allowed",
        ),
        ("base: &b {max_chars: 10}\nfields:\n  title: *b\n", "anchors and aliases (&, *) are not allowed"),
    ],
)
def test_bad_profile_files_name_the_file_and_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    message = error_of(path)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message


def test_lists_become_tuples_and_empty_kinds_are_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.yml", "fields:\n  description: {html_allowed_tags: [p, br]}\n  faq:\n")
    profile = load_profile(path)
    assert profile.rules_for("description").html_allowed_tags == ("p", "br")
    assert profile.rules_for("faq") == FieldRules()
    assert profile.name == "ok" and profile.language is None


def test_an_edited_profile_file_is_read_again(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yaml", "fields:\n  title: {max_chars: 10}\n")
    assert load_profile(path).rules_for("title").max_chars == 10
    write(tmp_path, "mine.yaml", "fields:\n  title: {max_chars: 120}\n")
    assert load_profile(path).rules_for("title").max_chars == 120
