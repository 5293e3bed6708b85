"""File stamps and search paths are looked at most once a second, not once a row."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from copyassist import assets
from copyassist.assets import Rechecked, file_stamp, search_path


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_computed_again_only_once_its_second_is_over() -> None:
    clock, computed = Clock(), []
    rechecked: Rechecked[str, int] = Rechecked(lambda key: computed.append(key) or len(computed), clock=clock)
    assert [rechecked("a") for _ in range(5)] == [1] * 5
    clock.now += 0.99
    assert rechecked("a") == 1 and rechecked("b") == 2
    clock.now += 0.01
    assert rechecked("a") == 3  # a second after it was computed
    assert computed == ["a", "b", "a"]


def test_an_os_error_is_remembered_for_the_second_too(tmp_path: Path) -> None:
    clock, calls = Clock(), []

    def stat(path: Path) -> int:
        calls.append(path)
        return path.stat().st_size

    rechecked: Rechecked[Path, int] = Rechecked(stat, clock=clock)
    missing = tmp_path / "later.txt"
    depths = []
    for _ in range(3):
        with pytest.raises(FileNotFoundError) as raised:
            rechecked(missing)
        depths.append(len(raised.traceback))
    assert depths[0] == depths[-1]  # raised again, its traceback does not grow
    missing.write_text("four", "utf-8")
    with pytest.raises(FileNotFoundError):
        rechecked(missing)  # still within the second
    clock.now += 1.0
    assert rechecked(missing) == 4 and len(calls) == 2


def test_file_stamp_sees_an_edit_after_a_second(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(file_stamp, "ttl", 1.0)
    monkeypatch.setattr(file_stamp, "clock", clock)
    path = tmp_path / "words.txt"
    path.write_text("one\n", "utf-8")
    first = file_stamp(path)
    assert first == (path.stat().st_mtime_ns, 4)
    path.write_text("one\ntwo\n", "utf-8")
    os.utime(path, ns=(first[0] + 10**9, first[0] + 10**9))
    assert file_stamp(path) == first
    clock.now += 1.0
    assert file_stamp(path) == (first[0] + 10**9, 8)


def test_an_edited_template_is_seen_within_a_second(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from copyassist.templates import load_template
    from tests.test_templates import write_template

    clock = Clock()
    monkeypatch.setattr(file_stamp, "ttl", 1.0)
    monkeypatch.setattr(file_stamp, "clock", clock)

    def rendered() -> str:
        content: str = load_template("mine", "en", [tmp_path]).render({"product": {"title": "x"}})[0][
            "content"
        ]
        return content

    path = write_template(tmp_path, "mine", "<<user>>\nFirst {{ product.title }}")
    assert rendered() == "First x"
    write_template(tmp_path, "mine", "<<user>>\nSecond version of {{ product.title }}")
    stamp = path.stat().st_mtime_ns + 10**9  # a new stamp even on a coarse file-system clock
    os.utime(path, ns=(stamp, stamp))
    clock.now += 0.5
    assert rendered() == "First x"  # not looked at again within the second
    clock.now += 0.5
    assert rendered() == "Second version of x"


def test_search_path_follows_the_environment_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = search_path("prompts", [tmp_path])
    assert search_path("prompts", [tmp_path]) == first and search_path("prompts", [tmp_path]) is not first
    monkeypatch.setenv("COPYASSIST_PROMPTS_PATH", str(tmp_path / "env"))
    assert search_path("prompts", [tmp_path])[1] == tmp_path / "env"
    monkeypatch.setenv("COPYASSIST_HOME", str(tmp_path / "home"))
    assert assets.user_dir("prompts") in search_path("prompts")
    assert search_path("prompts")[1] == tmp_path / "home" / "prompts"
