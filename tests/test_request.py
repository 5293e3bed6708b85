"""The request that is sent: one builder for a backend's mode, used by generate, render and dry_run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

import copyassist
from copyassist.backends import OpenAIBackend, OutputSpec, Prompt, build_request, estimating_backend
from copyassist.backends.base import STRUCTURED_MODES, StructuredMode
from copyassist.backends.retry import RetryPolicy
from copyassist.batch.api import dry_run, run_batch
from copyassist.batch.store import Store
from copyassist.budget import prompt_tokens_at_most
from copyassist.cli import app
from copyassist.errors import ConfigError
from copyassist.tokens import count_message_tokens

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = json.loads((ROOT / "examples" / "product.json").read_text("utf-8"))
SERVER = "http://127.0.0.1:8765/v1"
TITLE = "Montre connectée Kairos S2 GPS étanche 5 ATM noir graphite"
FIELD_LINE = "- title (text)"
DESCRIPTION = "no price, no promotional claim"  # from ProductTitle's field description
STRICT = "Réponds uniquement avec l'objet JSON demandé."


def chat_answer(content: str) -> dict[str, Any]:
    return {
        "id": "c", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
    }  # fmt: skip


def sent_mode(body: dict[str, Any]) -> StructuredMode:
    response_format = body.get("response_format")
    if response_format is None:
        return "prompt"
    if response_format["type"] == "json_schema":
        return "json_schema"
    return "json_object_schema" if "schema" in response_format else "json_object"


def assert_instruction_fits(body: dict[str, Any]) -> None:
    """The prompt says what the response_format does not: the fields, where nothing enforces them."""
    prompt = body["messages"][1]["content"]  # the template's user message
    mode = sent_mode(body)
    if mode == "json_schema":
        assert prompt.endswith(STRICT) and FIELD_LINE not in prompt
    elif mode == "json_object_schema":  # a grammar enforces the shape: fields without descriptions
        assert FIELD_LINE in prompt and DESCRIPTION not in prompt
    else:  # nothing but the prompt carries the schema
        assert FIELD_LINE in prompt and DESCRIPTION in prompt


def title_prompt() -> Prompt:
    return copyassist.prepare("product-title", PRODUCT, language="fr").prompt


@pytest.mark.parametrize("mode", STRUCTURED_MODES)
def test_the_format_instruction_goes_with_the_response_format(mode: StructuredMode) -> None:
    request = build_request(title_prompt(), mode)
    assert request.mode == mode
    assert_instruction_fits(request.body())
    assert sum("Réponds uniquement" in m["content"] for m in request.messages) == 1


def test_followups_come_after_the_instruction_and_params_are_the_ones_set() -> None:
    spec = OutputSpec("T", {"type": "object", "properties": {"title": {"type": "string"}}})
    prompt = Prompt(
        [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}],
        spec,
        {"temperature": 0.2, "top_p": None, "max_tokens": 0},
        language="en",
    ).with_followups({"role": "assistant", "content": "a"}, {"role": "user", "content": "fix it"})
    request = build_request(prompt, "json_object")
    assert [m["content"].split("\n")[0] for m in request.messages] == ["s", "u", "a", "fix it"]
    assert "these fields:\n- title (text)" in request.messages[1]["content"]
    assert request.params == {"temperature": 0.2}
    body = request.body("gpt-x", max_tokens_key="max_completion_tokens")
    assert body["model"] == "gpt-x" and body["response_format"] == {"type": "json_object"}
    with_limit = build_request(prompt.with_followups(), "prompt")
    assert len(with_limit.messages) == 2 and with_limit.response_format is None


@respx.mock
def test_each_step_down_rebuilds_the_request_with_its_own_instruction(respx_mock: respx.MockRouter) -> None:
    answers = iter(['{"title": "Montre",,}', json.dumps({"title": TITLE})])  # malformed, then fixed

    def answer(request: httpx.Request) -> httpx.Response:
        if sent_mode(json.loads(request.content)) in ("json_schema", "json_object_schema"):
            return httpx.Response(400, json={"detail": "response_format not supported"})
        return httpx.Response(200, json=chat_answer(next(answers)))

    route = respx_mock.post(f"{SERVER}/chat/completions").mock(side_effect=answer)
    backend = OpenAIBackend(name="compatible", model="m", base_url=SERVER, retry=RetryPolicy(base_delay=0))
    result = copyassist.generate("product-title", PRODUCT, language="fr", backend=backend, max_attempts=2)
    bodies = [json.loads(call.request.content) for call in route.calls]
    modes = ["json_schema", "json_object_schema", "json_object", "json_object"]  # the last: a re-ask
    assert [sent_mode(b) for b in bodies] == modes
    for body in bodies:
        assert_instruction_fits(body)
    assert result.status == "repaired"
    assert bodies[3]["messages"][:2] == bodies[2]["messages"]  # the re-ask keeps the working prompt
    assert result.messages == bodies[2]["messages"]  # the result tells what was sent


def captured_and_rendered(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, api: str) -> tuple[Any, Any]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    args = ["product-title", "-p", str(ROOT / "examples" / "product.json"), "--lang", "fr"]
    with respx.mock:
        answer = httpx.Response(200, json=chat_answer(json.dumps({"title": TITLE})))
        route = respx.post(api).mock(return_value=answer)
        generated = CliRunner().invoke(app, ["generate", *args])
        assert generated.exit_code == 0, generated.output
        sent = json.loads(route.calls[0].request.content)
    rendered = CliRunner().invoke(app, ["render", *args, "--json"])
    assert rendered.exit_code == 0, rendered.output
    return sent, json.loads(rendered.stdout)


@pytest.mark.parametrize(
    ("env", "api"),
    [
        ({"OPENAI_API_KEY": "sk-t"}, "https://api.openai.com/v1/chat/completions"),
        ({"OPENAI_BASE_URL": SERVER, "COPYASSIST_MODEL": "m"}, f"{SERVER}/chat/completions"),
    ],
    ids=["openai", "compatible"],
)
def test_render_shows_exactly_what_generate_sends(
    env: dict[str, str], api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent, shown = captured_and_rendered(env, monkeypatch, api)
    assert shown["messages"] == sent["messages"]
    assert shown["structured_mode"] == sent_mode(sent) == "json_schema"
    assert shown["model"] == sent["model"]


def test_render_with_no_backend_shows_the_embedded_models_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("copyassist.backends.local_available", lambda: False)
    shown = CliRunner().invoke(app, ["render", "product-title", "-s", "title=Lampe", "--json"])
    assert shown.exit_code == 0, shown.output
    payload = json.loads(shown.stdout)
    assert payload["structured_mode"] == "json_object_schema" and payload["model"] is None
    assert FIELD_LINE in payload["messages"][-1]["content"]


@respx.mock
def test_dry_run_counts_the_tokens_of_the_messages_a_run_sends(
    tmp_path: Path, respx_mock: respx.MockRouter
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text("sku,title,brand\nA,Lampe de bureau LED,Lumio\nB,Lampe de chevet LED,Lumio\n", "utf-8")

    def echo(request: httpx.Request) -> httpx.Response:
        name = "Lampe de bureau LED" if "bureau" in request.content.decode() else "Lampe de chevet LED"
        return httpx.Response(200, json=chat_answer(json.dumps({"title": name})))

    route = respx_mock.post(f"{SERVER}/chat/completions").mock(side_effect=echo)

    def backend() -> OpenAIBackend:
        return OpenAIBackend(name="compatible", model="m", base_url=SERVER)

    with Store(tmp_path / "s.sqlite3") as store:
        # one attempt a row: the estimate is the first prompts (and at most: with the margin of
        # an offline count, budget.prompt_tokens_at_most)
        estimate = dry_run(feed, template="product-title", backend=backend(), store=store, max_attempts=1)
        run_batch(feed, tmp_path / "out.csv", template="product-title", backend=backend(), store=store)
    sent = [json.loads(call.request.content)["messages"] for call in route.calls]
    assert len(sent) == 2 and route.call_count == 2
    assert estimate.input_tokens == sum(prompt_tokens_at_most(m, "m") for m in sent)
    assert estimate.input_tokens >= sum(count_message_tokens(m, "m").tokens for m in sent)


@respx.mock
def test_calls_refused_together_step_down_once_between_them(respx_mock: respx.MockRouter) -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)  # every call is in flight before the first refusal comes back
        if sent_mode(json.loads(request.content)) == "json_schema":
            return httpx.Response(400, json={"detail": "response_format not supported"})
        return httpx.Response(200, json=chat_answer(json.dumps({"title": TITLE})))

    route = respx_mock.post(f"{SERVER}/chat/completions").mock(side_effect=answer)
    backend = OpenAIBackend(name="compatible", model="m", base_url=SERVER, retry=RetryPolicy(base_delay=0))
    prompt = copyassist.prepare("product-title", PRODUCT, language="fr").prompt

    async def eight_at_once() -> list[str]:
        try:
            done = await asyncio.gather(*(backend.acomplete(prompt) for _ in range(8)))
        finally:
            await backend.aclose()
        return [c.text for c in done]

    texts = asyncio.run(eight_at_once())
    assert len(texts) == 8 and backend.structured_mode == "json_object_schema"
    modes = [sent_mode(json.loads(call.request.content)) for call in route.calls]
    assert modes.count("json_schema") == 8 and set(modes) == {"json_schema", "json_object_schema"}


def test_render_shows_the_set_up_backends_request_or_fails_as_generate_would() -> None:
    args = ["render", "product-title", "-p", str(ROOT / "examples" / "product.json"), "--lang", "fr"]
    unnamed = CliRunner().invoke(app, [*args, "--base-url", "http://127.0.0.1:9/v1", "--json"])
    assert unnamed.exit_code == 0, unnamed.output
    shown = json.loads(unnamed.stdout)  # the server's request, not the embedded model's
    assert (shown["structured_mode"], shown["model"]) == ("json_schema", "the server's model")
    no_url = CliRunner().invoke(app, [*args, "--provider", "compatible"])
    assert no_url.exit_code == 2 and "--base-url" in no_url.output
    unknown = CliRunner().invoke(app, [*args, "--provider", "bogus"])
    assert unknown.exit_code == 2 and "unknown provider 'bogus'" in unknown.output


def test_nothing_set_up_renders_what_the_embedded_model_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("copyassist.backends.local_available", lambda: False)
    assert estimating_backend("auto") is None
    with pytest.raises(ConfigError, match="unknown provider"):
        estimating_backend("bogus")
    args = ["render", "product-title", "-p", str(ROOT / "examples" / "product.json"), "--json"]
    shown = CliRunner().invoke(app, args)
    assert shown.exit_code == 0 and json.loads(shown.stdout)["structured_mode"] == "json_object_schema"


def test_a_dry_run_for_openai_needs_no_key(tmp_path: Path) -> None:
    backend = estimating_backend("openai")
    assert isinstance(backend, OpenAIBackend) and backend.model
    feed = ROOT / "examples" / "feed.csv"
    with Store(tmp_path / "s.sqlite3") as store:
        estimate = dry_run(feed, template="product-title", provider="openai", store=store)
    assert estimate.to_generate > 0 and estimate.cost is not None and estimate.cost > 0
    result = CliRunner().invoke(
        app, ["batch", str(feed), "-t", "product-title", "--dry-run", "--provider", "openai",
              "--db", str(tmp_path / "cli.sqlite3")],
    )  # fmt: skip
    assert result.exit_code == 0 and "cost for" in result.output, result.output
