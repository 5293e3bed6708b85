"""A compatible server given no model name: the one model it lists under /models is used."""

from __future__ import annotations

import httpx
import pytest
import respx
from typer.testing import CliRunner

from copyassist.backends import get_backend
from copyassist.cli import app
from copyassist.errors import ConfigError
from tests.helpers import assert_exited

URL = "http://127.0.0.1:8000/v1"


def models(*names: str) -> httpx.Response:
    return httpx.Response(200, json={"object": "list", "data": [{"id": n, "object": "model"} for n in names]})


@respx.mock(assert_all_called=True)
def test_the_one_model_a_server_lists_is_used(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get(f"{URL}/models").mock(return_value=models("qwen2.5-7b-instruct"))
    backend = get_backend("compatible", base_url=URL, api_key="sk-local")
    assert backend.model == "qwen2.5-7b-instruct" and backend.name == "compatible"
    assert route.calls.last.request.headers["authorization"] == "Bearer sk-local"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (models("llama-3-8b", "mistral-7b"), "it lists llama-3-8b, mistral-7b"),
        (models(), "it lists none"),
        (httpx.Response(404, text="not found"), "asking http://127.0.0.1:8000/v1/models failed: 404"),
        (httpx.Response(200, text="<html>"), "asking http://127.0.0.1:8000/v1/models failed"),
    ],
)
def test_otherwise_the_error_says_what_the_server_lists(
    answer: httpx.Response, said: str, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(f"{URL}/models").mock(return_value=answer)
    with pytest.raises(ConfigError, match="needs a model name") as raised:
        get_backend("compatible", base_url=URL)
    assert said in str(raised.value) and raised.value.hint_options == ("model",)


@respx.mock
def test_an_unreachable_server_is_one_clear_line(respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{URL}/models").mock(side_effect=httpx.ConnectError("refused"))
    result = CliRunner().invoke(app, ["generate", "product-title", "-s", "title=Lampe", "--base-url", URL])
    assert_exited(result, 2)
    assert "failed: refused" in result.stderr and "(option --model)" in result.stderr


@respx.mock(assert_all_called=False)
def test_a_named_model_or_render_asks_nothing(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get(f"{URL}/models").mock(return_value=models("m"))
    assert get_backend("compatible", base_url=URL, model="mine").model == "mine"
    rendered = CliRunner().invoke(app, ["render", "product-title", "-s", "title=Lampe", "--base-url", URL])
    assert_exited(rendered, 0)
    assert not route.called
