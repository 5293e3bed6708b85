"""No secret written: a provider that echoes the key in its error body never gets it to stderr,
the store (run note, row errors), the output's error column or ``runs show``."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import httpx
import openai
import pytest
import respx
from typer.testing import CliRunner

from copyassist.backends.openai_errors import translate_error
from copyassist.backends.retry import RetryPolicy
from copyassist.cli import app
from copyassist.redact import MASK, redact
from tests.helpers import ROOT

KEY = "sk-proj-Zq8vN3kLmT5wX2yR7pQ4sJ1hF6gD9cB0aE"
OTHER_KEY = "sk-9f8e7d6c5b4a3f2e1d0c9b8a"  # a key the process was not given (a proxy's)
BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.dG9rZW4"
CHAT = "https://api.openai.com/v1/chat/completions"
PRODUCT = str(ROOT / "examples" / "product.json")


def echoing(status: int) -> httpx.Response:
    """An error answer that repeats the key it was sent, as some providers and proxies do."""
    message = f"Incorrect API key provided: {KEY}. Upstream said: {OTHER_KEY} ({BEARER})"
    return httpx.Response(status, json={"error": {"message": message, "type": "invalid_request_error"}})


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """500s are retried: without waiting between tries, in tests."""
    monkeypatch.setattr(RetryPolicy, "delay", lambda *args, **kwargs: 0.0)


def assert_clean(text: str) -> None:
    for secret in (KEY, OTHER_KEY, "eyJhbGciOiJIUzI1NiJ9", "Zq8vN3kLmT5wX2yR7pQ4"):
        assert secret not in text, text


def write_feed(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand"])
        for number in range(rows):
            writer.writerow([f"SKU-{number}", f"Lampe de bureau modèle {number}", "Lumio"])
    return path


def test_redact_masks_the_given_secret_and_key_shapes() -> None:
    custom = "my-server-token-42"
    text = redact(f"key {KEY}, other {OTHER_KEY}, {BEARER}, custom {custom}", [custom])
    assert_clean(text)
    assert custom not in text and text.count(MASK) == 4 and "Bearer " + MASK in text
    assert redact("no secret here: sk-1 is short", ["x"]) == "no secret here: sk-1 is short"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503])
def test_translate_error_masks_every_provider_message(status: int) -> None:
    request = httpx.Request("POST", CHAT)
    response = echoing(status)
    response.request = request
    body = json.loads(response.content)
    exc = openai.APIStatusError(body["error"]["message"], response=response, body=body)
    error = translate_error(exc, [KEY])
    assert_clean(str(error))
    assert MASK in str(error)


def test_translate_error_masks_connection_and_other_errors() -> None:
    request = httpx.Request("POST", f"https://proxy.example/v1?key={KEY}")
    lost = openai.APIConnectionError(message=f"cannot connect with {KEY}", request=request)
    lost.__cause__ = httpx.ConnectError(f"refused for {KEY}")
    assert_clean(str(translate_error(lost, [KEY])))
    assert_clean(str(translate_error(openai.OpenAIError(f"odd failure {KEY}"), [KEY])))


def test_a_configured_key_of_any_shape_is_masked(
    monkeypatch: pytest.MonkeyPatch, respx_mock: respx.MockRouter
) -> None:
    key = "local-server-secret-7781"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    respx_mock.post("http://127.0.0.1:8080/v1/chat/completions").mock(
        return_value=httpx.Response(401, json={"error": {"message": f"bad token {key}"}})
    )
    args = ["generate", "product-title", "-p", PRODUCT, "--provider", "compatible"]
    result = CliRunner().invoke(app, [*args, "--base-url", "http://127.0.0.1:8080/v1", "--model", "m"])
    assert result.exit_code != 0
    assert key not in result.output and MASK in result.output


@pytest.mark.parametrize("status", [400, 401, 500])
@pytest.mark.usefixtures("no_backoff")
def test_generate_writes_no_key_to_stderr(
    status: int, monkeypatch: pytest.MonkeyPatch, respx_mock: respx.MockRouter
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    respx_mock.post(CHAT).mock(return_value=echoing(status))
    result = CliRunner().invoke(app, ["generate", "product-title", "-p", PRODUCT, "--model", "gpt-4.1-mini"])
    assert result.exit_code != 0
    assert "error" in result.output
    assert_clean(result.output)


@pytest.mark.parametrize("status", [400, 401, 500])
@pytest.mark.usefixtures("no_backoff")
def test_batch_writes_no_key_anywhere(
    status: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, respx_mock: respx.MockRouter
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    route = respx_mock.post(CHAT).mock(return_value=echoing(status))
    feed, out, db = write_feed(tmp_path / "feed.csv", 4), tmp_path / "out.csv", tmp_path / "store.db"
    args = ["batch", str(feed), "-t", "product-title", "-o", str(out), "--db", str(db)]
    result = CliRunner().invoke(app, [*args, "--model", "gpt-4.1-mini", "--concurrency", "1"])
    assert route.called and result.exit_code != 0
    assert_clean(result.output)  # stderr: the failed rows and why the run stopped
    assert "row 1" in result.output or "stopped" in result.output

    written = out.read_text("utf-8")
    assert "copyassist_error" in written and MASK in written  # the output's error column
    assert_clean(written)

    with sqlite3.connect(db) as conn:
        notes = [r[0] or "" for r in conn.execute("SELECT note FROM runs")]
        errors = [r[0] or "" for r in conn.execute("SELECT error FROM run_rows")]
    assert any(MASK in text for text in notes + errors)
    assert_clean(" ".join(notes + errors))

    shown = CliRunner().invoke(app, ["runs", "show", "1", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert MASK in shown.output
    assert_clean(shown.output)
    as_json = CliRunner().invoke(app, ["runs", "show", "1", "--db", str(db), "--json"])
    assert_clean(as_json.output)
