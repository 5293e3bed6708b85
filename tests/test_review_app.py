"""The review web app over a real batch run: every route, the token, CSRF and Host checks,
escaping and the HTML preview, and the ``copyassist review`` command."""

from __future__ import annotations

import csv
import json
import re
import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient
from typer.testing import CliRunner

import copyassist
from copyassist.backends import Completion, Prompt, Usage, build_request
from copyassist.backends.base import StructuredMode
from copyassist.backends.retry import RetryPolicy
from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.cli import app as cli_app
from copyassist.errors import InputError, ServerError
from copyassist.review.app import HERE, review_app
from copyassist.review.checking import Flag
from copyassist.review.marking import field_view, word_diff
from copyassist.review.routes import templates
from copyassist.review.security import COOKIE, CSP
from copyassist.review.session import ReviewRow
from copyassist.review.views import row_view
from tests.helpers import FakeBackend, assert_exited

TOKEN = "test-token-123"
LOCAL = "http://127.0.0.1"
NAME = re.compile(r"^- (?:Nom|Name) ?: (.+)$", re.MULTILINE)
SCRIPT = "<script>alert(1)</script>"

PRODUCTS = [  # sku, title, image, the description the model answers
    (
        "LMP-1",
        "Lampe de bureau LED",
        "https://img.example/lampe.jpg",
        "Une lampe orientable à la lumière douce.",
    ),
    ("KRS-2", "Montre GPS Kairos", "", f"Une montre {SCRIPT} pour courir sans se perdre."),
    ("NRD-3", "Sac à dos Nordlys", "", "Un sac à dos léger pour la randonnée."),
    ("VDL-4", "Cocotte en fonte Vidal", "javascript:alert(1)", "Une cocotte robuste pour mijoter."),
]


class ByTitleBackend:
    """Answers each product with its own description, found from the name in the prompt."""

    name = "fake"
    model = "fake-model"

    @property
    def structured_mode(self) -> StructuredMode:
        return "json_object_schema"

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        messages = build_request(prompt, self.structured_mode).messages
        found = next(m.group(1).strip() for m in (NAME.search(x["content"]) for x in messages) if m)
        description = next(p[3] for p in PRODUCTS if p[1] == found)
        answer = {
            "headline": f"{found}, simplement",
            "description": description,
            "call_to_action": "Commandez.",
        }
        return Completion(json.dumps(answer), self.model, Usage(100, 20), "stop")

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        return self.complete(prompt)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def make_run(tmp_path: Path, products: list[tuple[str, str, str, str]] = PRODUCTS) -> Path:
    feed = tmp_path / "feed.csv"
    with feed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand", "description", "image_link"])
        for sku, title, image, _ in products:
            writer.writerow([sku, title, "Maison", f"{title} : description du catalogue.", image])
    path = tmp_path / "store.sqlite3"
    with Store(path) as store:
        run_batch(feed, tmp_path / "out.csv", template="product-description", backend=ByTitleBackend(),
                  store=store, language="fr", concurrency=1)  # fmt: skip
    return path


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return make_run(tmp_path)


def client_for(path: Path, **options: Any) -> TestClient:
    client = TestClient(review_app(path, token=TOKEN, **options), base_url=LOCAL)
    assert client.get(f"/?token={TOKEN}").status_code == 200  # the cookie is set from here on
    return client


@pytest.fixture
def client(store_path: Path) -> TestClient:
    return client_for(store_path)


def csrf(client: TestClient) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/").text)
    assert found
    return found.group(1)


def post(client: TestClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A POST as review.js sends it: the CSRF header, a JSON answer."""
    headers = {"X-CSRF-Token": csrf(client), "Accept": "application/json"}
    return client.post(url, data=data or {}, headers=headers, **kwargs)


def rows_of(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="row-\d+"[^>]* data-row="(\d+)"', html)]


def row_attr(html: str, number: int, name: str) -> str:
    found = re.search(rf'<tr id="row-{number}"[^>]* {name}="([^"]*)"', html)
    assert found, f"row {number} has no {name}"
    return found.group(1)


# ----------------------------------------------------------------------------- the list page


def test_the_list_shows_every_row_side_by_side_with_a_word_diff(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert rows_of(page.text) == [1, 2, 3, 4]
    assert 'data-total="4"' in page.text
    assert row_attr(page.text, 2, "data-status") == "flagged"
    assert row_attr(page.text, 1, "data-decision") == "pending"
    # the feed's description on one side, the new one on the other, words removed and added marked
    assert "<del>" in page.text and "<ins>" in page.text
    assert "Lampe de bureau LED : description du catalogue." not in page.text  # diffed word by word
    assert re.search(r"<del>[^<]*catalogue[^<]*</del>", page.text)
    assert re.search(r"<ins>[^<]*orientable[^<]*</ins>", page.text)


def test_a_thumbnail_is_shown_lazily_for_a_web_image_only(client: TestClient) -> None:
    html = client.get("/").text
    image = re.search(r'<img class="thumb" src="https://img.example/lampe.jpg"[^>]*>', html)
    assert image and 'loading="lazy"' in image.group(0) and 'referrerpolicy="no-referrer"' in image.group(0)
    assert "javascript:alert" not in html  # row 4's image URL is not a web address


def test_a_script_in_the_copy_shows_as_text_and_its_violation_is_marked(client: TestClient) -> None:
    html = client.get("/").text
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;script&gt;" in html
    # the violation is highlighted where it is, with its rule and message as a tooltip
    mark = re.search(r'<mark data-flag="[^"]*" data-rule="([^"]*html\.script[^"]*)" title="([^"]*)">', html)
    assert mark and "script is not allowed" in mark.group(2)
    assert re.search(r'<li class="flag severity-error" data-rule="html.script"', html)


def test_the_html_preview_keeps_only_allowed_tags(client: TestClient) -> None:
    evil = '<p>Solide <strong>et belle</strong></p><img src=x onerror="alert(2)"><script>alert(3)</script>'
    post(client, "/rows/3/edit", {"f.description": evil})
    html = client.get("/rows/3").text
    preview = re.search(r'<div class="preview-body" data-role="preview">(.*?)</div>', html, re.S)
    assert preview
    assert "<p>Solide <strong>et belle</strong></p>" in preview.group(1)
    assert "onerror" not in preview.group(1) and "<img" not in preview.group(1)
    assert "script" not in preview.group(1) and "alert(3)" not in preview.group(1)


def test_filters_narrow_the_rows_and_come_from_the_facets(client: TestClient) -> None:
    page = client.get("/").text
    assert re.search(r'<option value="flagged">flagged \(1\)</option>', page)
    assert re.search(r'<option value="html.script">html.script \(1\)</option>', page)
    assert rows_of(client.get("/?status=flagged").text) == [2]
    assert rows_of(client.get("/?rule=html.script").text) == [2]
    assert rows_of(client.get("/?field=description").text) == [2]
    assert rows_of(client.get("/?q=nordlys").text) == [3]
    post(client, "/rows/4/approve")  # the counts are reused between loads, and redone after a write
    assert rows_of(client.get("/?decision=approved").text) == [4]
    assert '<option value="approved">approved (1)</option>' in client.get("/").text
    empty = client.get("/?status=failed").text
    assert rows_of(empty) == [] and 'id="no-rows"' in empty
    assert 'option value="flagged" selected' in client.get("/?status=flagged").text


def test_paging_is_in_the_url_and_links_to_the_next_and_previous_pages(client: TestClient) -> None:
    first = client.get("/?limit=2").text
    assert rows_of(first) == [1, 2]
    assert "rows 1–2 of" in first
    following = re.search(r'<a id="pager-next" href="([^"]+)"', first)
    assert following and 'id="pager-prev"' not in first
    second = client.get(following.group(1).replace("&amp;", "&")).text
    assert rows_of(second) == [3, 4]
    assert 'id="pager-prev"' in second and 'id="pager-next"' not in second
    assert rows_of(client.get("/?limit=2&offset=3").text) == [4]
    assert rows_of(client.get("/?limit=nonsense&offset=-5&sort=nope").text) == [1, 2, 3, 4]


def test_sorting(client: TestClient) -> None:
    by_title = rows_of(client.get("/?sort=title").text)
    assert by_title == [4, 1, 2, 3]  # Cocotte, Lampe, Montre, Sac
    assert rows_of(client.get("/?sort=title&desc=1").text) == [3, 2, 1, 4]
    assert rows_of(client.get("/?sort=flags&desc=1").text)[0] == 2


def test_the_row_page_and_an_unknown_row(client: TestClient) -> None:
    page = client.get("/rows/2")
    assert page.status_code == 200 and rows_of(page.text) == [2]
    assert 'id="history-empty"' in page.text
    missing = client.get("/rows/99")
    assert missing.status_code == 404 and 'id="error-message"' in missing.text
    assert post(client, "/rows/99/approve").status_code == 404


# ----------------------------------------------------------------------------- actions


def test_approve_and_reject_answer_the_new_row_or_go_back(client: TestClient) -> None:
    answer = post(client, "/rows/1/approve")
    assert answer.status_code == 200 and answer.json()["ok"]
    assert row_attr(answer.json()["html"], 1, "data-decision") == "approved"
    assert row_attr(client.get("/").text, 1, "data-decision") == "approved"
    # the plain form (no script): redirected back to the page it came from
    token = csrf(client)
    plain = client.post("/rows/3/reject", data={"csrf": token, "next": "/?status=ok"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/?status=ok"
    assert row_attr(client.get("/").text, 3, "data-decision") == "rejected"
    elsewhere = client.post("/rows/3/reject", data={"csrf": token, "next": "https://evil.example/"},
                            follow_redirects=False)  # fmt: skip
    assert elsewhere.headers["location"] == "/"
    history = client.get("/rows/1").text
    assert re.search(r'<tr data-event="approve', history)


def test_an_edit_is_checked_as_typed_and_on_save(client: TestClient) -> None:
    bad = "Une lampe de 12 kg."  # a figure the product data does not hold
    checked = post(client, "/rows/1/check", {"f.description": bad})
    assert checked.status_code == 200
    rules = {flag["rule"] for flag in checked.json()["flags"]}
    assert "facts.unsupported" in rules
    assert 'data-rule="facts.unsupported"' in checked.json()["html"]
    assert re.search(
        r'<mark [^>]*data-rule="facts.unsupported"[^>]*>12</mark>', checked.json()["fields"]["description"]
    )
    assert row_attr(client.get("/").text, 1, "data-edited") == "0"  # a check stores nothing
    clean = post(client, "/rows/1/check", {"f.description": "Une lampe orientable à la lumière douce."})
    assert clean.json()["flags"] == [] and 'data-role="flags-none"' in clean.json()["html"]

    saved = post(client, "/rows/1/edit", {"f.description": bad})
    assert saved.status_code == 200 and "problem" in saved.json()["message"]
    html = saved.json()["html"]
    assert row_attr(html, 1, "data-edited") == "1"
    assert 'data-rule="facts.unsupported"' in html and re.search(r"<mark [^>]*>12</mark>", html)
    assert row_attr(client.get("/?rule=facts.unsupported").text, 1, "data-edited") == "1"
    assert post(client, "/rows/1/edit", {"nothing": "x"}).status_code == 400


def test_revert_goes_back_to_the_generated_copy(client: TestClient) -> None:
    post(client, "/rows/1/edit", {"f.description": "Autre texte."})
    post(client, "/rows/1/approve")
    answer = post(client, "/rows/1/revert")
    html = answer.json()["html"]
    assert row_attr(html, 1, "data-edited") == "0" and row_attr(html, 1, "data-decision") == "pending"
    assert "Autre texte." not in html and "orientable" in html


def test_regenerate_calls_the_backend_with_the_note(store_path: Path) -> None:
    answer = {
        "headline": "Lampe LED",
        "description": "Une lampe garantie deux ans.",
        "call_to_action": "À vous.",
    }
    backend = FakeBackend([answer])
    client = client_for(store_path, backend=backend)
    assert 'data-role="note"' in client.get("/").text
    done = post(client, "/rows/1/regenerate", {"note": "mention the warranty"})
    assert done.status_code == 200, done.text
    assert "garantie deux ans" in done.json()["html"]
    assert any("mention the warranty" in m["content"] for m in backend.calls[0])


def test_regenerate_without_a_model_is_off_and_says_why(client: TestClient) -> None:
    page = client.get("/").text
    assert 'data-role="regenerate-off"' in page and re.search(r'data-action="regenerate" disabled', page)
    refused = post(client, "/rows/1/regenerate", {"note": "shorter"})
    assert refused.status_code == 409 and "needs a model" in refused.json()["error"]


def test_bulk_approve_and_reject(client: TestClient) -> None:
    done = post(client, "/bulk", {"action": "approve", "rows": ["1", "3"]})
    assert done.json() == {"ok": True, "count": 2, "message": "2 rows approved"}
    assert rows_of(client.get("/?decision=approved").text) == [1, 3]
    assert post(client, "/bulk", {"action": "reject", "rows": "2,4"}).json()["count"] == 2
    assert rows_of(client.get("/?decision=rejected").text) == [2, 4]
    assert post(client, "/bulk", {"action": "approve"}).status_code == 400
    assert post(client, "/bulk", {"action": "delete", "rows": ["1"]}).status_code == 400


def test_approve_all_ok_leaves_flagged_rows(client: TestClient) -> None:
    done = post(client, "/approve-all-ok")
    assert done.json()["count"] == 3
    html = client.get("/").text
    assert [row_attr(html, n, "data-decision") for n in (1, 2, 3, 4)] == [
        "approved",
        "pending",
        "approved",
        "approved",
    ]


# ----------------------------------------------------------------------------- security


def test_no_token_is_401_and_a_wrong_one_403(store_path: Path) -> None:
    app = review_app(store_path, token=TOKEN)
    bare = TestClient(app, base_url=LOCAL)
    assert bare.get("/").status_code == 401
    assert bare.get("/static/review.js").status_code == 401
    assert bare.get("/?token=wrong").status_code == 403
    assert bare.post("/rows/1/approve").status_code == 401
    assert TestClient(app, base_url=LOCAL, cookies={COOKIE: "wrong"}).get("/").status_code == 403
    assert bare.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_the_token_in_the_url_becomes_a_strict_httponly_cookie(store_path: Path) -> None:
    client = TestClient(review_app(store_path, token=TOKEN), base_url=LOCAL)
    entering = client.get(f"/?status=ok&token={TOKEN}", follow_redirects=False)
    assert entering.status_code == 303 and entering.headers["location"] == "/?status=ok"
    cookie = entering.headers["set-cookie"]
    assert f"{COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/").status_code == 200  # the cookie alone is enough now
    # one cookie per port: a second review on another port does not replace this one's
    on_port = TestClient(review_app(store_path, token=TOKEN), base_url=f"{LOCAL}:8123")
    assert (
        f"{COOKIE}_8123={TOKEN}"
        in on_port.get(f"/?token={TOKEN}", follow_redirects=False).headers["set-cookie"]
    )
    assert review_app(store_path).state.token != review_app(store_path).state.token  # random when not given


def test_a_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    assert client.post("/rows/1/approve").status_code == 403
    assert client.post("/rows/1/approve", data={"csrf": "wrong"}).status_code == 403
    assert client.post("/rows/1/approve", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.post("/approve-all-ok").status_code == 403
    good = csrf(client)
    cross = {"X-CSRF-Token": good, "Origin": "https://evil.example"}
    assert client.post("/rows/1/approve", headers=cross).status_code == 403
    assert (
        client.post(
            "/rows/1/approve", headers={"X-CSRF-Token": good, "Sec-Fetch-Site": "cross-site"}
        ).status_code
        == 403
    )
    assert row_attr(client.get("/").text, 1, "data-decision") == "pending"
    assert client.post("/rows/1/approve", data={"csrf": good}, follow_redirects=False).status_code == 303


def test_another_host_name_is_refused(store_path: Path) -> None:
    app = review_app(store_path, token=TOKEN)
    for host in ("evil.example", "127.0.0.1.evil.example", "192.168.1.10:8000"):
        assert TestClient(app, base_url=f"http://{host}").get(f"/?token={TOKEN}").status_code == 403
    for host in ("localhost:8123", "127.0.0.1:8123"):
        assert TestClient(app, base_url=f"http://{host}").get(f"/?token={TOKEN}").status_code == 200


def test_every_answer_has_the_csp_and_no_inline_script(client: TestClient) -> None:
    for answer in (client.get("/"), client.get("/rows/99"), client.get("/static/review.css")):
        assert answer.headers["content-security-policy"] == CSP
        assert answer.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in CSP and "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    page = client.get("/").text
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/review.js" defer>']
    assert not re.search(r"\son[a-z]+=", page)  # no inline handler
    assert client.get("/static/review.js").status_code == 200


def test_the_app_can_be_mounted_under_a_prefix(store_path: Path) -> None:
    outer = Starlette(routes=[Mount("/review", app=review_app(store_path, token=TOKEN))])
    client = TestClient(outer, base_url=LOCAL)
    entering = client.get(f"/review/?token={TOKEN}", follow_redirects=False)
    assert entering.headers["location"] == "/review/"
    page = client.get("/review/").text
    assert 'action="/review/rows/1/approve"' in page and 'src="/review/static/review.js"' in page
    assert client.get("/review/static/review.js").status_code == 200


def test_the_library_name_and_an_unknown_run(store_path: Path) -> None:
    assert copyassist.review_app is review_app
    with pytest.raises(InputError, match="no run 42"):
        review_app(store_path, 42)
    with Store(store_path) as store:
        assert isinstance(review_app(store, token=TOKEN), Starlette)  # a Store object works too


# ----------------------------------------------------------------------------- the command

runner = CliRunner()


def test_review_help() -> None:
    result = runner.invoke(cli_app, ["review", "--help"], env={"COLUMNS": "160"})
    assert_exited(result, 0)
    for flag in ("--store", "--port", "--no-browser", "--provider", "--model", "--base-url", "RUN"):
        assert flag in result.stdout


def test_review_without_a_store_or_a_run(tmp_path: Path) -> None:
    missing = runner.invoke(cli_app, ["review", "--store", str(tmp_path / "none.sqlite3"), "--no-browser"])
    assert_exited(missing, 2)
    assert "no result store at" in missing.output and len(missing.output.strip().splitlines()) == 1
    Store(tmp_path / "empty.sqlite3").close()
    empty = runner.invoke(cli_app, ["review", "--store", str(tmp_path / "empty.sqlite3"), "--no-browser"])
    assert empty.exit_code != 0 and "no batch run" in empty.output
    assert len(empty.output.strip().splitlines()) == 1


def test_review_on_a_busy_port(store_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = runner.invoke(cli_app, ["review", "5", "--store", str(store_path), "--no-browser"])
        assert result.exit_code != 0 and "no run 5" in result.output
        result = runner.invoke(
            cli_app, ["review", "--store", str(store_path), "--port", str(port), "--no-browser"]
        )
    assert result.exit_code != 0 and f"port {port} on 127.0.0.1 is busy" in result.output
    assert "Traceback" not in result.output


def test_review_serves_on_127_0_0_1_and_opens_the_browser(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    served: dict[str, Any] = {}
    opened: list[str] = []

    def fake_run(self: uvicorn.Server, sockets: list[socket.socket]) -> None:
        served["address"] = sockets[0].getsockname()
        self.started = True
        served["app"] = self.config.app
        raise KeyboardInterrupt  # as uvicorn does after a clean Ctrl-C

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    monkeypatch.setenv("COPYASSIST_PROVIDER", "openai")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = runner.invoke(cli_app, ["review", "--store", str(store_path)])
    assert_exited(result, 0)
    host, port = served["address"]
    url = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", result.output)
    assert host == "127.0.0.1" and url and int(url.group(1)) == port
    assert served["app"].state.token == url.group(2)
    assert "regenerate is off" in result.output and "OPENAI_API_KEY" in result.output
    assert "stopped" in result.output
    for _ in range(100):  # the browser is opened from a thread once the server has started
        if opened:
            break
        import time

        time.sleep(0.02)
    assert opened == [url.group(0)]


# ----------------------------------------------------------------------------- the pieces


def test_candidates_are_offered_to_choose_from() -> None:
    row = ReviewRow(
        row_number=7, product={"title": "Lampe", "image": "", "id": ""}, current={"title": "Lampe"},
        generated={"title": "Lampe LED"}, proposed={"title": "Lampe LED"}, status="ok", flags=[],
        decision="pending", edited=False, candidates=[{"title": "Lampe <b>LED</b> orientable"}],
        decided_by=None, decided_at=None,
    )  # fmt: skip
    html = (
        templates(HERE)
        .get_template("_row.html")
        .render(
            base="", csrf="c", csrf_field="csrf", regenerate_off=None, here="/", view=row_view(row, ["title"])
        )
    )
    candidate = re.search(r'<div class="candidate" data-candidate="0">(.*?)</div>\s*</details>', html, re.S)
    assert candidate
    assert 'name="f.title" value="Lampe &lt;b&gt;LED&lt;/b&gt; orientable"' in candidate.group(1)
    assert 'action="/rows/7/edit"' in candidate.group(1) and 'data-action="choose"' in candidate.group(1)


def test_the_word_diff_and_the_marks_nest_without_overlapping() -> None:
    removed, added = word_diff("Lampe de bureau", "Lampe LED de bureau GRATUITE")
    assert removed == [] and [("Lampe LED de bureau GRATUITE"[a:b]) for a, b in added] == [
        " LED",
        " GRATUITE",
    ]
    flags = [Flag("title.all_caps", "error", "title", "capitals", "gratuite"),
             Flag("claims.promo", "warning", "title", "a <promo> word", "bureau GRATUITE")]  # fmt: skip
    view = field_view("title", "Lampe de bureau", "Lampe LED de bureau GRATUITE", flags)
    promo = 'data-rule="claims.promo" title="claims.promo: a &lt;promo&gt; word"'
    assert str(view.proposed) == (
        "Lampe<ins> LED</ins> de "
        f'<mark data-flag="1" {promo}>bureau</mark>'
        f'<ins><mark data-flag="1" {promo}> </mark></ins>'
        '<ins><mark data-flag="0 1" data-rule="title.all_caps claims.promo" '
        'title="title.all_caps: capitals\nclaims.promo: a &lt;promo&gt; word">GRATUITE</mark></ins>'
    )
    assert str(view.current) == "Lampe de bureau" and view.changed
    assert field_view("title", None, "x", []).current is None  # the feed is gone: unknown, not empty


def test_a_broken_store_is_said_on_the_page_not_as_a_traceback(store_path: Path) -> None:
    client = client_for(store_path)
    with sqlite3.connect(store_path) as conn:
        conn.execute("DROP TABLE review_rows")
    page = client.get("/")
    assert page.status_code == 500 and "cannot be used" in page.text and 'id="error-message"' in page.text
    refused = post(client, "/rows/1/approve")
    assert refused.status_code == 500 and "cannot be used" in refused.json()["error"]


def test_a_model_that_fails_on_regenerate_is_said_and_the_row_kept(store_path: Path) -> None:
    class Failing(FakeBackend):
        def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
            raise ServerError("the model server answered 500")

    client = client_for(store_path, backend=Failing([]))
    before = client.get("/rows/1").text
    refused = post(client, "/rows/1/regenerate", {"note": "shorter"})
    assert refused.status_code == 502 and "answered 500" in refused.json()["error"]
    assert rows_of(client.get("/rows/1").text) == [1] and "orientable" in before
    assert "orientable" in client.get("/rows/1").text


def test_the_report_is_served_with_each_row_linked_to_its_page(client: TestClient) -> None:
    assert 'href="/report"' in client.get("/").text
    answer = client.get("/report")
    assert answer.status_code == 200
    policy = answer.headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy  # no script can run at all
    assert answer.headers.get_list("content-security-policy") == [policy]  # not the app's as well
    assert answer.headers["x-frame-options"] == "DENY"
    assert "<svg" in answer.text
    assert re.search(r'href="/rows/\d+"', answer.text)


def test_the_report_needs_the_token_too(store_path: Path) -> None:
    anonymous = TestClient(review_app(store_path, token=TOKEN), base_url=LOCAL)
    assert anonymous.get("/report").status_code == 401


def test_model_grades_of_a_row_are_shown_with_their_reason(store_path: Path) -> None:
    from copyassist.scoring.model import Score
    from copyassist.scoring.store import ScoreStore

    with Store(store_path) as store:
        run_id = store.list_runs(1)[0].id
        grades = ScoreStore(store)
        grades.put("key-1", "g", Score("clear", 4, "Clair, <b>direct</b>.", "fr"))
        grades.record_row(run_id, 1, "key-1", "g", "clear")
    client = client_for(store_path)
    page = client.get("/").text
    assert re.search(r'<li data-criterion="clear" data-score="4">.*4/5', page)
    assert "Clair, &lt;b&gt;direct&lt;/b&gt;." in page  # a reason is model output: escaped
    assert page.count('data-role="scores"') == 1  # the graded row only
    assert 'data-criterion="clear"' in client.get("/rows/1").text
