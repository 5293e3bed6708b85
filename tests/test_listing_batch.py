"""A listing batch: every field on its own key, record, status and columns; calls counted on the
fake OpenAI-compatible server (127.0.0.1)."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from copyassist.batch.api import dry_run, run_batch
from copyassist.batch.field_log import FieldLog
from copyassist.batch.run_settings import settings_for
from copyassist.batch.store import Store
from copyassist.cli import app
from copyassist.errors import ConfigError, TemplateError
from tests.helpers import ROOT, assert_exited

Serve = Callable[..., tuple[str, Any]]
EXAMPLE_FEED = ROOT / "examples" / "feed.csv"
LISTING = ["product-title", "product-description", "bullets", "seo"]
COPY_COLUMNS = ["title", "headline", "description", "call_to_action", "bullets", "seo_title",
                "meta_description", "keywords"]  # fmt: skip
STATUSES = {"ok", "repaired", "flagged", "fallback"}


def write_feed(path: Path, rows: int = 3) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand", "category", "features"])
        for number in range(rows):
            writer.writerow([f"SKU-{number}", f"Lampe de bureau LED modèle {number}", "Lumio", "Luminaires",
                             "Trois températures de couleur|Port USB-C"])  # fmt: skip
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def requests(server: Any) -> int:
    return int(server.stats(prompts=False)["requests"])


def batch(feed: Path, out: Path, base_url: str, db: Store, template: Any, **options: Any) -> Any:
    options = {"concurrency": 2, **options}
    return run_batch(feed, out, template=template, provider="compatible", base_url=base_url,
                     model="fake-model", store=db, language="fr", **options)  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Any:
    db = Store(tmp_path / "store.sqlite3")
    yield db
    db.close()


def test_settings_take_one_template_several_or_a_set() -> None:
    one = settings_for("product-title", "fr")
    assert one.listing == () and one.templates["fr"].name == "product-title"
    several = settings_for("product-title,seo", "fr")
    assert [found["fr"].name for found in several.listing] == ["product-title", "seo"]
    assert several.templates["fr"].name == "product-title"
    assert [found["fr"].name for found in settings_for("listing").listing] == LISTING
    assert [found["en"].name for found in settings_for(["bullets", "seo"]).listing] == ["bullets", "seo"]
    with pytest.raises(TemplateError, match="both write the 'description'"):
        settings_for("product-description,seo-rewrite", "fr")
    with pytest.raises(ConfigError, match="one-template runs"):
        settings_for("listing", "fr", score=["clear"])


def test_each_field_is_stored_on_its_own_key_and_a_rerun_pays_nothing(
    tmp_path: Path, serve: Serve, store: Store
) -> None:
    base_url, server = serve()
    feed = write_feed(tmp_path / "feed.csv")
    summary = batch(feed, tmp_path / "out.csv", base_url, store, "product-title,product-description")
    first = requests(server)
    assert first >= 6 and summary.calls == first  # two fields a row, repairs aside
    assert sum(summary.totals.field_counts.values()) == 6 and summary.totals.rows == 3
    records = FieldLog(store).fields(summary.run_id)
    assert len(records) == 6 and len({r.key for r in records}) == 6
    assert {r.template for r in records} == {"product-title", "product-description"}
    assert sum(r.input_tokens for r in records) > 0
    row_records = store.connection.execute(
        "SELECT row_number, status, input_tokens FROM run_rows WHERE run_id = ? ORDER BY row_number",
        (summary.run_id,),
    ).fetchall()
    assert [r[0] for r in row_records] == [1, 2, 3]  # one line a row, its fields' tokens summed
    by_row = {n: sum(r.input_tokens for r in records if r.row_number == n) for n in (1, 2, 3)}
    assert {r[0]: r[2] for r in row_records} == by_row

    again = batch(feed, tmp_path / "again.csv", base_url, store, "product-title,product-description")
    assert requests(server) == first and again.calls == 0 and again.totals.cached == 6
    assert read_csv(tmp_path / "again.csv") == read_csv(tmp_path / "out.csv")


def test_a_template_appended_pays_only_for_the_new_field(tmp_path: Path, serve: Serve, store: Store) -> None:
    base_url, server = serve()
    feed = write_feed(tmp_path / "feed.csv")
    batch(feed, tmp_path / "titles.csv", base_url, store, "product-title")  # a one-template run first
    titles = requests(server)
    batch(feed, tmp_path / "two.csv", base_url, store, ["product-title", "product-description"])
    two = requests(server) - titles
    assert 3 <= two < 6  # the titles came from the one-template run: its keys are the first field's
    summary = batch(
        feed, tmp_path / "three.csv", base_url, store, "product-title,product-description,bullets"
    )
    assert summary.totals.cached == 6 and 3 <= summary.calls < 6  # bullets only
    rows = read_csv(tmp_path / "three.csv")
    assert all(r["copyassist_bullets"] for r in rows)
    assert [r["copyassist_title"] for r in rows] == [
        r["copyassist_title"] for r in read_csv(tmp_path / "titles.csv")
    ]


def test_the_later_fields_keys_hold_the_earlier_fields(tmp_path: Path, serve: Serve, store: Store) -> None:
    """A description written knowing another title is another answer: its own key."""
    base_url, _ = serve()
    feed = write_feed(tmp_path / "feed.csv", rows=1)
    summary = batch(feed, tmp_path / "out.csv", base_url, store, "product-title,product-description")
    alone = batch(feed, tmp_path / "alone.csv", base_url, store, "product-description")
    keys = {r.template: r.key for r in FieldLog(store).fields(summary.run_id)}
    (single,) = store.connection.execute(
        "SELECT key FROM run_rows WHERE run_id = ?", (alone.run_id,)
    ).fetchone()
    assert keys["product-description"] != single and alone.calls >= 1


def test_output_has_every_fields_columns_and_statuses(tmp_path: Path, serve: Serve, store: Store) -> None:
    base_url, _ = serve()
    feed = write_feed(tmp_path / "feed.csv")
    batch(feed, tmp_path / "out.csv", base_url, store, "listing")
    rows = read_csv(tmp_path / "out.csv")
    header = list(rows[0])
    assert header[:5] == ["sku", "title", "brand", "category", "features"]
    for column in COPY_COLUMNS:
        assert f"copyassist_{column}" in header and all(r[f"copyassist_{column}"] for r in rows), column
    for template in LISTING:
        assert all(r[f"copyassist_{template}_status"] in STATUSES for r in rows), template
    for row in rows:
        fields = [row[f"copyassist_{t}_status"] for t in LISTING]
        worst = max(fields, key=["ok", "repaired", "fallback", "flagged"].index)
        assert row["copyassist_status"] == worst and row["copyassist_template"] == ",".join(LISTING)


def test_jsonl_output_carries_per_field_objects(tmp_path: Path, serve: Serve, store: Store) -> None:
    base_url, _ = serve()
    feed = write_feed(tmp_path / "feed.csv", rows=2)
    batch(feed, tmp_path / "out.jsonl", base_url, store, "product-title,bullets")
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert len(lines) == 2
    for line in lines:
        fields = line["copyassist_fields"]
        assert list(fields) == ["product-title", "bullets"]
        assert fields["product-title"]["fields"]["title"] == line["copyassist_title"]
        assert fields["bullets"]["status"] == line["copyassist_bullets_status"] in STATUSES


def test_shopify_targets_are_filled_by_each_field(tmp_path: Path, serve: Serve, store: Store) -> None:
    base_url, _ = serve()
    feed = tmp_path / "shopify.csv"
    feed.write_text(
        "Handle,Title,Body (HTML),Vendor,Type,SEO Title,SEO Description\n"
        "lampe-led,Lampe de bureau LED,,Lumio,Luminaires,,\n",
        "utf-8",
    )
    batch(feed, tmp_path / "out.csv", base_url, store, "listing", overwrite=True)
    (row,) = read_csv(tmp_path / "out.csv")
    filled = {"ok", "repaired", "fallback"}
    if row["copyassist_product-description_status"] in filled:
        assert row["Body (HTML)"] and row["Body (HTML)"] != ""
    if row["copyassist_seo_status"] in filled:
        assert row["SEO Title"] == row["copyassist_seo_title"]
        assert row["SEO Description"] == row["copyassist_meta_description"]
    if row["copyassist_product-title_status"] in {"ok", "repaired"}:
        assert row["Title"] == row["copyassist_title"]


def test_dry_run_counts_every_field_and_the_store(tmp_path: Path, serve: Serve, store: Store) -> None:
    base_url, _ = serve()
    feed = write_feed(tmp_path / "feed.csv")
    one = dry_run(feed, template="product-title", language="fr", provider="compatible", base_url=base_url,
                  model="fake-model", store=store)  # fmt: skip
    whole = dry_run(feed, template="listing", language="fr", provider="compatible", base_url=base_url,
                    model="fake-model", store=store)  # fmt: skip
    assert one.to_generate == whole.to_generate == 3 and whole.input_tokens > 3 * one.input_tokens
    batch(feed, tmp_path / "out.csv", base_url, store, "listing")
    after = dry_run(feed, template="listing", language="fr", provider="compatible", base_url=base_url,
                    model="fake-model", store=store)  # fmt: skip
    assert after.cached == 3 and after.to_generate == 0 and after.input_tokens == 0


def test_cli_batch_runs_the_example_feed_as_a_listing(tmp_path: Path, serve: Serve) -> None:
    """End to end: ``copyassist batch examples/feed.csv -t listing`` on the fake server."""
    base_url, server = serve()
    out, db = tmp_path / "listing.csv", tmp_path / "store.sqlite3"
    command = ["batch", str(EXAMPLE_FEED), "-t", "listing", "-o", str(out), "--provider", "compatible",
               "--base-url", base_url, "--model", "fake-model", "--db", str(db), "--no-report"]  # fmt: skip
    result = CliRunner().invoke(app, command)
    assert_exited(result, 0)
    rows = read_csv(out)
    assert [r["sku"] for r in rows] == [r["sku"] for r in read_csv(EXAMPLE_FEED)]
    for column in COPY_COLUMNS:
        assert all(r[f"copyassist_{column}"] for r in rows), column
    for template in LISTING:
        assert all(r[f"copyassist_{template}_status"] in STATUSES for r in rows), template
    assert "6 rows" in result.output and "fields:" in result.output
    calls = requests(server)
    assert calls >= 4 * len(rows)
    shown = CliRunner().invoke(app, ["runs", "show", "1", "--db", str(db)])
    assert_exited(shown, 0)
    assert "product-title, product-description, bullets, seo" in shown.output
    # a rerun with one template more pays for the new field only
    more = ["-t", "listing", "-t", "faq"]
    again = CliRunner().invoke(app, [*command[:2], *more, *command[4:]])
    assert_exited(again, 0)
    assert len(rows) <= requests(server) - calls < 2 * len(rows) * 3
    assert all(r["copyassist_faq"] for r in read_csv(out))
    with sqlite3.connect(db) as connection:
        (fields,) = connection.execute("SELECT count(*) FROM run_fields").fetchone()
    assert fields == 4 * len(rows) + 5 * len(rows)
    # a brand file that forbids a word every field of the watch writes: each field is flagged
    # with the brand's rule, on its own, and the other products' fields are not
    brand = tmp_path / "brand.yaml"
    brand.write_text("name: Kairos\navoid:\n  - connectée\n", "utf-8")
    branded = CliRunner().invoke(app, [*command, "--brand-file", str(brand), "--attempts", "1"])
    assert_exited(branded, 0)
    watch, shirt = read_csv(out)[:2]
    assert watch["sku"] == "KRS-S2-BLK" and shirt["sku"] == "ATL-MAR-M"
    assert "brand.avoided" in watch["copyassist_violations"]
    assert watch["copyassist_product-title_status"] in ("flagged", "fallback")  # its title names it
    assert "brand.avoided" not in shirt["copyassist_violations"]
    assert shirt["copyassist_product-title_status"] == "ok"
    assert watch["copyassist_status"] in ("flagged", "fallback", "failed")


def test_cli_batch_refuses_a_misspelt_set_in_one_line(tmp_path: Path) -> None:
    command = ["batch", str(EXAMPLE_FEED), "-t", "listng", "-o", str(tmp_path / "o.csv"), "--db",
               str(tmp_path / "s.db"), "--provider", "compatible",
               "--base-url", "http://127.0.0.1:9/v1"]  # fmt: skip
    result = CliRunner().invoke(app, command)
    assert result.exit_code != 0 and "did you mean 'listing'" in result.output
    assert "Traceback" not in result.output


def test_cli_generate_prints_every_field_with_its_status(tmp_path: Path, serve: Serve) -> None:
    base_url, _ = serve()
    product = tmp_path / "product.json"
    product.write_text(json.dumps({"title": "Lampe de bureau LED", "brand": "Lumio",
                                   "features": ["Trois températures de couleur"]}), "utf-8")  # fmt: skip
    common = ["-p", str(product), "--provider", "compatible", "--base-url", base_url, "--model", "fake-model",
              "--lang", "fr"]  # fmt: skip
    shown = CliRunner().invoke(app, ["generate", "product-title,seo", *common])
    assert_exited(shown, 0)
    assert "── product-title ──" in shown.output and "── seo ──" in shown.output
    assert "listing" in shown.output and "product-title " in shown.output
    as_json = CliRunner().invoke(app, ["generate", "listing", *common, "--json"])
    assert_exited(as_json, 0)
    data = json.loads(as_json.stdout)
    assert data["templates"] == LISTING and set(data["fields"]) == set(LISTING)
    assert data["fields"]["seo"]["output"]["seo_title"]


def test_identical_rows_share_every_field_in_flight(tmp_path: Path, serve: Serve, store: Store) -> None:
    base_url, server = serve(latency=0.05)
    feed = tmp_path / "same.csv"
    feed.write_text("title,brand\n" + "Lampe de bureau LED,Lumio\n" * 4, "utf-8")
    summary = batch(feed, tmp_path / "out.csv", base_url, store, "product-title,seo")
    single = batch(write_feed(tmp_path / "one.csv", rows=1), tmp_path / "one-out.csv", base_url,
                   Store(tmp_path / "other.sqlite3"), "product-title,seo")  # fmt: skip
    assert summary.calls <= single.calls + 2 and summary.totals.cached >= 6  # 3 rows answered by the first
    rows = read_csv(tmp_path / "out.csv")
    assert len({r["copyassist_seo_title"] for r in rows}) == 1 and all(
        r["copyassist_seo_title"] for r in rows
    )
    assert requests(server) == summary.calls + single.calls


def test_a_capped_listing_stops_between_fields_and_resumes_without_paying_twice(
    tmp_path: Path, serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"models": {"fake-model": {"input": 100.0, "output": 100.0}}}), "utf-8")
    monkeypatch.setenv("COPYASSIST_PRICES", str(prices))
    base_url, _ = serve()
    feed = write_feed(tmp_path / "feed.csv", rows=4)
    with Store(tmp_path / "fresh.sqlite3") as fresh:
        whole = batch(feed, tmp_path / "whole.csv", base_url, fresh, "product-title,product-description",
                      concurrency=1)  # fmt: skip
    assert whole.totals.cost > 0
    with Store(tmp_path / "capped.sqlite3") as db:
        capped = batch(feed, tmp_path / "capped.csv", base_url, db, "product-title,product-description",
                       concurrency=1, max_cost=whole.totals.cost / 2)  # fmt: skip
        assert capped.totals.stopped and "max_cost" in capped.totals.stopped
        rows = read_csv(tmp_path / "capped.csv")
        assert len(rows) == 4 and any(r["copyassist_status"] == "skipped" for r in rows)
        done = sum(n for s, n in capped.totals.field_counts.items() if s != "skipped")
        assert 0 < done < 8
        resumed = batch(feed, tmp_path / "resumed.csv", base_url, db, "product-title,product-description",
                        concurrency=1)  # fmt: skip
    assert resumed.totals.cached == done and not resumed.totals.stopped
    assert all(r["copyassist_status"] in STATUSES for r in read_csv(tmp_path / "resumed.csv"))
    assert resumed.calls < whole.calls


def test_iter_batch_yields_rows_with_their_field_outcomes(tmp_path: Path, serve: Serve, store: Store) -> None:
    import asyncio

    from copyassist.batch.api import iter_batch

    base_url, _ = serve()
    feed = write_feed(tmp_path / "feed.csv", rows=2)

    async def collect() -> list[Any]:
        return [
            o
            async for o in iter_batch(
                feed,
                template=["product-title", "bullets"],
                provider="compatible",
                base_url=base_url,
                model="fake-model",
                store=store,
                language="fr",
            )
        ]

    outcomes = asyncio.run(collect())
    assert [[f.template for f in o.field_outcomes] for o in outcomes] == [["product-title", "bullets"]] * 2
    assert all(set(o.fields) == {"title", "bullets"} for o in outcomes)


SAME_SEO = {
    "seo_title": "Lampe de bureau LED Lumio",
    "keywords": ["lampe", "lampe led", "lampe bureau", "luminaire", "lampe usb"],
    "meta_description": "Une lampe de bureau LED Lumio à trois températures de couleur et port USB-C. "
    "Découvrez la lampe de bureau LED Lumio.",
}


class SameSeoBackend:
    """Titles from the product name; the same SEO fields for every product."""

    name = "fake"
    model = "fake-model"
    structured_mode = "json_object_schema"

    async def acomplete(self, prompt: Any, *, retry: Any = None) -> Any:
        from copyassist.backends import Completion, Usage, build_request

        messages = build_request(prompt, "json_object_schema").messages
        text = "\n".join(m["content"] for m in messages)
        if "seo_title" in text:
            answer = SAME_SEO
        else:
            name = next(line for line in text.splitlines() if line.startswith("- Nom"))
            answer = {"title": name.split(":", 1)[1].strip()}
        return Completion(json.dumps(answer, ensure_ascii=False), self.model, Usage(100, 10), "stop")

    def complete(self, prompt: Any, *, retry: Any = None) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def test_the_duplicate_check_runs_per_field(tmp_path: Path, store: Store) -> None:
    feed = write_feed(tmp_path / "feed.csv", rows=3)
    summary = run_batch(feed, tmp_path / "out.csv", template="product-title,seo", backend=SameSeoBackend(),
                        store=store, language="fr", concurrency=3)  # fmt: skip
    rows = read_csv(tmp_path / "out.csv")
    assert [r["copyassist_product-title_status"] for r in rows] == ["ok"] * 3  # titles differ
    assert rows[0]["copyassist_seo_status"] == "ok"
    assert [r["copyassist_seo_status"] for r in rows[1:]] == ["flagged", "flagged"]
    assert "batch.duplicate_seo_title: the same seo_title as row 1" in rows[2]["copyassist_violations"]
    assert "batch.duplicate_meta_description" in rows[1]["copyassist_violations"]
    assert [r["copyassist_status"] for r in rows] == ["ok", "flagged", "flagged"]
    assert summary.totals.field_counts == {"ok": 4, "flagged": 2}
    records = {(r.row_number, r.template): r.status for r in FieldLog(store).fields(summary.run_id)}
    assert records[(3, "seo")] == "flagged" and records[(3, "product-title")] == "ok"
    statuses = store.connection.execute(
        "SELECT status FROM run_rows WHERE run_id = ? ORDER BY row_number", (summary.run_id,)
    ).fetchall()
    assert [s for (s,) in statuses] == ["ok", "flagged", "flagged"]
    again = run_batch(feed, tmp_path / "again.csv", template="product-title,seo", backend=SameSeoBackend(),
                      store=store, language="fr")  # fmt: skip
    again_rows = read_csv(tmp_path / "again.csv")  # the same verdict, from the store
    assert again.totals.cached == 6
    assert [{k: v for k, v in a.items() if b[k] != v} for a, b in zip(again_rows, rows, strict=True)] == [
        {}
    ] * 3
