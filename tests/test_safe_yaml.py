"""The one YAML reader of personas, profiles and template front matter."""

from __future__ import annotations

from pathlib import Path

import pytest

from copyassist.safe_yaml import MAX_FILE_BYTES, YamlError, did_you_mean, parse_yaml, read_yaml_file


def test_scalars_are_typed_unless_asked_to_stay_text() -> None:
    text = "a: 2500\nb: no\nc: 0.5\nd: ~\n"
    assert parse_yaml(text) == {"a": 2500, "b": False, "c": 0.5, "d": None}
    assert parse_yaml(text, text_scalars=True) == {"a": "2500", "b": "no", "c": "0.5", "d": None}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "invalid YAML at line 2, column 1: duplicate key 'a'"),
        ("a: [1\n", "YAML syntax error at line 2"),
        ("a: &x 1\nb: *x\n", "invalid YAML at line 1: anchors and aliases (&, *) are not allowed"),
        ("a: !!binary aGk=\n", "invalid YAML at line 1: tag '!!binary' is not allowed"),
        ("a: 1\n---\nb: 2\n", "invalid YAML at line 2: only one YAML document is allowed"),
        ("a: " + "[" * 9 + "]" * 9 + "\n", "nested more than 8 levels deep"),
    ],
)
def test_refusals_say_what_and_where(text: str, expected: str) -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml(text)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_lines_are_counted_from_where_the_text_starts_in_its_file() -> None:
    with pytest.raises(YamlError, match="at line 6,"):
        parse_yaml("a: 1\na: 2\n", first_line=5)


def test_files_are_capped_and_utf8(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes("\ufeffnom: Été\n".encode())
    assert read_yaml_file(path) == {"nom": "Été"}  # a BOM is allowed
    path.write_bytes(b"nom: \xe9t\xe9\n")
    with pytest.raises(YamlError, match="not UTF-8 text"):
        read_yaml_file(path)
    path.write_text("a: " + "x" * MAX_FILE_BYTES, "utf-8")
    with pytest.raises(YamlError, match="larger than 256 KiB"):
        read_yaml_file(path)
    with pytest.raises(YamlError, match="no such file"):
        read_yaml_file(tmp_path / "missing.yaml")


def test_did_you_mean() -> None:
    assert did_you_mean("inherit", ["inherits", "fields"]) == " (did you mean 'inherits'?)"
    assert did_you_mean("zzz", ["inherits"]) == ""
