"""One search order for every kind of user-overridable file, and one name-or-path lookup."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from copyassist.assets import AssetKind, bundled_dir, locate, reachable, search_path, user_dir
from copyassist.errors import ConfigError

SUFFIXES = (".yaml", ".yml")


@pytest.mark.parametrize("kind", ["prompts", "personas", "profiles", "wordlists"])
def test_every_kind_searches_extra_then_user_then_bundled(
    kind: AssetKind, tmp_path: Path, isolated_home: Path
) -> None:
    folders = search_path(kind, [tmp_path, tmp_path])
    assert folders == [tmp_path, isolated_home / kind, bundled_dir(kind)]
    assert bundled_dir(kind).is_dir()


def test_profiles_and_word_lists_are_bundled_inside_the_rules_package() -> None:
    assert bundled_dir("profiles").parts[-2:] == ("rules", "profiles")
    assert (bundled_dir("wordlists") / "promotional.fr.txt").is_file()


def test_the_environment_path_comes_between_extra_folders_and_the_user_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "COPYASSIST_PROFILES_PATH", os.pathsep.join([str(tmp_path / "a"), "", str(tmp_path / "b")])
    )
    assert search_path("profiles", [tmp_path])[:4] == [
        tmp_path,
        tmp_path / "a",
        tmp_path / "b",
        user_dir("profiles"),
    ]
    assert search_path("wordlists")[0] == user_dir("wordlists")  # word lists have no such variable


def write(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("x: 1\n", "utf-8")
    return folder / name


def test_locate_a_name_a_path_and_a_bare_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    wanted = write(first, "shop.yml")
    write(second, "shop.yaml")
    folders = [first, second]
    assert locate("shop", folders, SUFFIXES, "profile", ConfigError) == wanted  # first folder wins
    monkeypatch.chdir(tmp_path)
    assert locate("shop.yaml", folders, SUFFIXES, "profile", ConfigError) == wanted  # not here: by name
    assert locate("nowhere/shop.yaml", folders, SUFFIXES, "profile", ConfigError) == Path("nowhere/shop.yaml")
    assert locate(second / "shop.yaml", folders, SUFFIXES, "profile", ConfigError) == second / "shop.yaml"


def test_locate_refuses_bad_and_unknown_names(tmp_path: Path) -> None:
    write(tmp_path, "amazon.yaml")
    with pytest.raises(ConfigError, match=r"invalid profile name '\.hidden'"):
        locate(".hidden", [tmp_path], SUFFIXES, "profile", ConfigError)
    with pytest.raises(ConfigError) as caught:
        locate("amazn", [tmp_path], SUFFIXES, "profile", ConfigError)
    message = str(caught.value)
    assert "unknown profile 'amazn' (did you mean 'amazon'?); available: amazon." in message
    assert f"Searched: {tmp_path}" in message


def test_reachable_leaves_shadowed_and_hidden_files_out(tmp_path: Path) -> None:
    mine = write(tmp_path / "mine", "amazon.yaml")
    write(tmp_path / "mine", ".draft.yaml")
    write(tmp_path / "shipped", "amazon.yaml")
    shopify = write(tmp_path / "shipped", "shopify.yml")
    assert reachable([tmp_path / "mine", tmp_path / "shipped"], SUFFIXES) == [
        ("amazon", mine),
        ("shopify", shopify),
    ]
