"""``batch`` takes the copy options ``generate`` takes, from the same declarations, and every
row's request carries them."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import typer.main
from typer.testing import CliRunner

from copyassist.cli import app
from tests.helpers import assert_exited

runner = CliRunner()
OPENAI = "https://api.openai.com/v1/chat/completions"
ROWS = [
    ["title", "description"],
    ["Lampe de chevet Lumio", "Lampe de chevet en chêne massif, abat-jour en lin, variateur tactile."],
    ["Lampe de bureau Lumio", "Lampe de bureau orientable en aluminium, trois teintes de lumière."],
]
#: generate's flags that a feed gives instead (its rows) or that batch names otherwise
NOT_FOR_A_FEED = {"--product", "--set", "--json"}


def _flags(name: str) -> set[str]:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return {opt for param in command.params for opt in param.opts if opt.startswith("--")}


def _feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(ROWS)
    return path


def _answer(request: httpx.Request) -> httpx.Response:
    content = json.dumps({
        "headline": "Une lumière douce pour vos soirées",
        "description": "Le chêne massif et l'abat-jour en lin donnent une lumière douce. Le variateur "
        "tactile règle l'intensité d'un geste, pour lire le soir sans éblouir.",
        "call_to_action": "Découvrez la lampe Lumio.",
    }, ensure_ascii=False)  # fmt: skip
    return httpx.Response(200, json={
        "id": "c", "object": "chat.completion", "created": 1, "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    })  # fmt: skip


def test_batch_has_every_copy_flag_generate_has() -> None:
    missing = _flags("generate") - _flags("batch") - NOT_FOR_A_FEED
    assert sorted(missing) == []
    assert {"--copy-format", "--format"} <= _flags("generate")  # the old spelling still works
    assert "--copy-format" in _flags("batch") and "--feed-format" in _flags("batch")


def test_batch_help_says_which_format_is_which() -> None:
    result = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "240"})
    assert_exited(result, 0)
    text = re.sub(r"[\s│]+", " ", result.output)
    assert "Feed format: csv" in text and "--copy-format" in text
    assert "--tone" in text and "--keyword" in text and "--max-chars" in text


@respx.mock
def test_every_rows_request_carries_the_copy_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, respx_mock: respx.MockRouter
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    route = respx_mock.post(OPENAI).mock(side_effect=_answer)
    args = [
        "batch", str(_feed(tmp_path)), "-t", "product-description", "-o", str(tmp_path / "out.csv"),
        "--db", str(tmp_path / "s.db"), "--provider", "openai", "--model", "gpt-4.1-mini",
        "--attempts", "1", "--no-report", "-q",
        "--tone", "chaleureux et posé", "--keyword", "lampe en chêne", "--keyword", "liseuse",
        "--objective", "fiche produit Shopify", "--words", "60", "--copy-format", "html",
        "--temperature", "0.3", "--max-tokens", "700",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert_exited(result, 0)
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert len(bodies) == 2
    for body in bodies:
        prompt = "\n".join(m["content"] for m in body["messages"])
        assert "Ton : chaleureux et posé" in prompt
        assert "lampe en chêne, liseuse" in prompt
        assert "fiche produit Shopify" in prompt and "environ 60 mots" in prompt
        assert "HTML" in prompt
        assert body["temperature"] == 0.3
        assert 700 in (body.get("max_tokens"), body.get("max_completion_tokens"))


def test_the_dry_run_gets_the_same_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict[str, Any]] = []
    from copyassist.batch import estimate as api

    real = api.prepare

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "prepare", spy)
    existing = tmp_path / "old.txt"
    existing.write_text("Ancienne description de la lampe.", encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")  # priced for a model; a dry run calls nothing
    args = [
        "batch", str(_feed(tmp_path)), "-t", "seo-rewrite", "--dry-run", "--db", str(tmp_path / "s.db"),
        "--provider", "openai", "--model", "gpt-4.1-mini",
        "--tone", "sobre", "-k", "lampe", "--words", "70", "--text", f"@{existing}",
        "--brand", "Lumio", "--category", "Luminaires", "--temperature", "0.2",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert_exited(result, 0)
    assert seen, result.output
    for kwargs in seen:
        assert kwargs["tone"] == "sobre" and kwargs["keywords"] == ["lampe"] and kwargs["words"] == 70
        assert kwargs["text"] == "Ancienne description de la lampe."
        assert kwargs["brand"] == "Lumio" and kwargs["category"] == "Luminaires"
        assert kwargs["params"] == {"temperature": 0.2}


def test_batch_finds_templates_and_personas_in_the_given_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import FakeBackend

    backend = FakeBackend([{"title": "Lampe de chevet Lumio en chêne"}])
    monkeypatch.setattr("copyassist.batch.api.get_backend", lambda *a, **k: backend)
    prompts = tmp_path / "my-prompts"
    prompts.mkdir()
    source = (Path(__file__).parent.parent / "prompts" / "product-title.fr.j2").read_text("utf-8")
    (prompts / "titre-maison.fr.j2").write_text(
        source.replace("name: product-title", "name: titre-maison").replace("<<user>>", "<<user>>\nMAISON"),
        encoding="utf-8",
    )
    personas = tmp_path / "my-personas"
    personas.mkdir()
    (personas / "lectrice.yaml").write_text(
        "kind: client\nname: Odile, lectrice du soir\nbio: Bibliothécaire à Nantes, lit tous les soirs.\n"
        "goals: [lire sans fatiguer ses yeux]\npain_points: [les lampes qui éblouissent]\n",
        encoding="utf-8",
    )
    args = [
        "batch", str(_feed(tmp_path)), "-t", "titre-maison", "-o", str(tmp_path / "out.csv"),
        "--db", str(tmp_path / "s.db"), "--no-report", "-q", "--prompts-dir", str(prompts),
        "--personas-dir", str(personas), "--persona", "lectrice",
    ]  # fmt: skip
    result = runner.invoke(app, args)
    assert_exited(result, 0)
    assert len(backend.calls) == 2
    for messages in backend.calls:
        prompt = "\n".join(m["content"] for m in messages)
        assert "MAISON" in prompt and "Odile, lectrice du soir" in prompt


def test_generate_and_render_keep_format_as_the_copy_format() -> None:
    base = ["render", "product-description", "-s", "title=Lampe Lumio", "-s", "description=Lampe en chêne.",
            "--full-prompts", "--json"]  # fmt: skip
    shown = {}
    for flag, value in (("--format", "html"), ("--copy-format", "html"), ("--copy-format", "text")):
        result = runner.invoke(app, [*base, flag, value])
        assert_exited(result, 0)
        shown[(flag, value)] = json.loads(result.stdout)["messages"]
    assert shown[("--format", "html")] == shown[("--copy-format", "html")] != shown[("--copy-format", "text")]
