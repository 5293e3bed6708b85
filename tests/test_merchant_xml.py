"""Google Merchant XML feeds (RSS 2.0 and Atom, ``g:`` namespace): read, batched, written back as
XML with the same items and elements, only the new or target elements changed; WordPress WXR and
other XML refused; XML with entities refused before anything is expanded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from copyassist.batch.api import run_batch
from copyassist.batch.store import Store
from copyassist.errors import InputError
from copyassist.feeds import open_feed, read_rows
from copyassist.feeds.merchant_xml import xml_items
from tests.helpers import FakeBackend

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">
  <channel>
    <title>Boutique Nordik</title>
    <link>https://ex.fr</link>
    <description>Flux produits</description>
    <item>
      <g:id>CH-1</g:id>
      <title>Chaise Oslo noire</title>
      <description><![CDATA[<p>Chaise en chêne & frêne.</p>]]></description>
      <link>https://ex.fr/oslo</link>
      <g:price>149.90 EUR</g:price>
      <g:brand>Nordik</g:brand>
      <g:product_highlight>Chêne massif</g:product_highlight>
      <g:product_highlight>Assise 45 cm</g:product_highlight>
      <g:shipping>
        <g:country>FR</g:country>
        <g:price>4.95 EUR</g:price>
      </g:shipping>
    </item>
    <item>
      <g:id>CH-2</g:id>
      <title></title>
      <description>Chaise en frêne, assise tressée.</description>
      <g:price>99.00 EUR</g:price>
    </item>
    <item>
      <g:id>CH-3</g:id>
      <title>Tabouret Bali</title>
      <g:price>39.00 EUR</g:price>
    </item>
  </channel>
</rss>
"""

ATOM = """<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
  <title>Example - Online Store</title>
  <link rel="self" href="https://www.example.com"/>
  <updated>2024-07-11T12:00:00Z</updated>
  <entry>
    <g:id>TV_123456</g:id>
    <g:title>LG 22LB4510 - 22" LED TV</g:title>
    <g:description>Attractively styled &amp; sharp.</g:description>
    <g:link>https://www.example.com/tv/22LB4510.html</g:link>
    <g:price>159.00 USD</g:price>
    <g:brand>LG</g:brand>
  </entry>
  <entry>
    <g:id>TV_654321</g:id>
    <g:title></g:title>
    <g:description>Small and bright.</g:description>
    <g:price>99.00 USD</g:price>
  </entry>
</feed>
"""

COPY = {"title": "Chaise « Oslo » en chêne : le confort"}


def batch(source: Path, out: Path, **options: Any) -> FakeBackend:
    backend = FakeBackend([COPY])
    with Store(source.parent / "store.sqlite3") as store:
        run_batch(source, out, template="product-title", backend=backend, store=store, use_cache=False,
                  **options)  # fmt: skip
    return backend


def compare(before: list[dict[str, Any]], after: list[dict[str, Any]], targets: set[str]) -> None:
    """Cell by cell: every original value back, only ``targets`` and new columns differ."""
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        for column, value in old.items():
            if column not in targets:
                assert new[column] == value, column
        assert all(c.startswith(("copyassist_", "structured_")) for c in set(new) - set(old) - targets)


def test_rss_feed_is_read_as_merchant_items(tmp_path: Path) -> None:
    source = tmp_path / "flux.xml"
    source.write_text(RSS, encoding="utf-8")
    feed = open_feed(source)
    assert feed.format == "merchant"
    assert feed.mapping["title"] == "title" and feed.mapping["sku"] == "g:id"
    assert feed.mapping["price"] == "g:price" and feed.mapping["features"] == "g:product_highlight"
    rows = list(feed.rows())
    assert [r.number for r in rows] == [1, 2, 3]
    first = rows[0].product or {}
    assert first["title"] == "Chaise Oslo noire" and first["price"] == "149.90"
    assert first["description"] == "Chaise en chêne & frêne."
    assert first["features"] == ["Chêne massif", "Assise 45 cm"]
    assert rows[0].raw["g:shipping"] == {"g:country": "FR", "g:price": "4.95 EUR"}
    assert [r.data["g:id"] for r in read_rows(source)] == ["CH-1", "CH-2", "CH-3"]  # check/study read it too


def test_rss_round_trip_keeps_every_item_and_element(tmp_path: Path) -> None:
    source = tmp_path / "flux.xml"
    source.write_text(RSS, encoding="utf-8")
    out = tmp_path / "flux.copy.xml"
    batch(source, out)
    before, after = list(xml_items(source)), list(xml_items(out))
    compare(before, after, {"title"})
    assert [a["copyassist_status"] for a in after] == ["ok", "ok", "fallback"]  # CH-3: copy not a stool
    assert [a["title"] for a in after] == ["Chaise Oslo noire", COPY["title"], "Tabouret Bali"]
    text = out.read_text(encoding="utf-8")
    assert "<channel>\n    <title>Boutique Nordik</title>" in text and text.count("<item>") == 3
    assert 'xmlns:copyassist="' in text and "<copyassist:status>ok</copyassist:status>" in text
    assert "\n      <copyassist:title>" in text  # indented as the item's own elements
    assert open_feed(out).mapping["title"] == "title"  # the output reads back as a feed

    overwritten = tmp_path / "over.xml"
    batch(source, overwritten, overwrite=True)
    assert [a["title"] for a in xml_items(overwritten)] == [COPY["title"], COPY["title"], "Tabouret Bali"]
    compare(before, list(xml_items(overwritten)), {"title"})


def test_atom_round_trip_and_merchant_structured(tmp_path: Path) -> None:
    source = tmp_path / "feed.atom"
    source.write_text(ATOM, encoding="utf-8")
    feed = open_feed(source)
    assert feed.mapping["title"] == "g:title" and feed.mapping["url"] == "g:link"
    out = tmp_path / "feed.copy.xml"
    batch(source, out, language="fr")  # the copy is French: asked in English, it is the wrong language
    before, after = list(xml_items(source)), list(xml_items(out))
    compare(before, after, {"g:title"})
    assert [a["g:title"] for a in after] == ['LG 22LB4510 - 22" LED TV', COPY["title"]]
    text = out.read_text(encoding="utf-8")
    assert '<link rel="self" href="https://www.example.com"/>' in text
    assert text.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"'
    )

    structured = tmp_path / "structured.xml"
    batch(source, structured, merchant_structured=True, language="fr")
    items = list(xml_items(structured))
    assert items[1]["structured_title"] == {
        "g:digital_source_type": "trained_algorithmic_media", "g:content": COPY["title"],
    }  # fmt: skip
    assert "structured_title" not in items[0]  # the seller's title is kept, not doubled
    compare(before, items, {"g:title"})
    assert "<g:structured_title><g:digital_source_type>trained_algorithmic_media</g:digital_source_type>" in (
        structured.read_text(encoding="utf-8")
    )
    rerun = tmp_path / "rerun.xml"
    batch(structured, rerun, merchant_structured=True, language="fr")  # its own output fed back in
    again = list(xml_items(rerun))
    assert again[1]["structured_title"] == items[1]["structured_title"]
    assert rerun.read_text(encoding="utf-8").count("<g:structured_title>") == 1  # not doubled


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Shop</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Hoodie</title><wp:post_type>product</wp:post_type></item></channel></rss>
"""


def test_wordpress_wxr_and_other_xml_are_refused_with_what_to_export(tmp_path: Path) -> None:
    shop = tmp_path / "shop.xml"
    shop.write_text(WXR, encoding="utf-8")
    with pytest.raises(InputError, match=r"^shop.xml is a WordPress WXR export: export products as CSV from "
                                         r"WooCommerce > Products > Export$"):  # fmt: skip
        open_feed(shop)
    blog = tmp_path / "blog.xml"
    blog.write_text('<rss version="2.0"><channel><item><title>Post</title></item></channel></rss>', "utf-8")
    with pytest.raises(InputError, match="without Google's g: namespace"):
        open_feed(blog)
    other = tmp_path / "catalogue.txt"  # XML under a text name is still seen as XML
    other.write_text("<?xml version='1.0'?><products><product/></products>", encoding="utf-8")
    with pytest.raises(InputError, match=r"is XML \(products\), not a Google Merchant feed: export"):
        open_feed(other)
    broken = tmp_path / "broken.xml"
    broken.write_text('<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item>', encoding="utf-8")
    with pytest.raises(InputError, match="not well-formed XML"):
        open_feed(broken)


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
<item><g:id>1</g:id><title>&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;</title></item></channel></rss>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
<item><g:id>1</g:id><title>&secret;</title></item></channel></rss>
"""


@pytest.mark.parametrize("text", [LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entities_are_refused_before_anything_is_expanded(tmp_path: Path, text: str) -> None:
    source = tmp_path / "feed.xml"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"^feed.xml: XML with a DTD or entity declarations is refused"):
        open_feed(source)
    with pytest.raises(InputError, match="refused"):
        list(read_rows(source))


def test_xml_output_needs_an_xml_input(tmp_path: Path) -> None:
    source = tmp_path / "feed.csv"
    source.write_text("title,description\nBol,Grès\n", encoding="utf-8")
    with pytest.raises(InputError, match="XML is written back only for a Merchant XML input"):
        batch(source, tmp_path / "out.xml")
    assert not list(tmp_path.glob("out.xml*"))


def test_an_item_holding_g_title_gets_no_second_title(tmp_path: Path) -> None:
    """``title`` and ``g:title`` are one attribute: an item that has one keeps it alone."""
    source = tmp_path / "feed.xml"
    source.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>Boutique</title>\n'
        "<item><g:id>A1</g:id><title>Théière en fonte</title><g:price>49.90 EUR</g:price></item>\n"
        "<item><g:id>A2</g:id><g:title>Bol en grès</g:title><g:price>19.00 EUR</g:price></item>\n"
        "</channel></rss>\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.xml"
    batch(source, out, language="fr")
    text = out.read_text(encoding="utf-8")
    second = text[text.index("<g:id>A2</g:id>") :]
    second = second[: second.index("</item>")]
    assert "<g:title>Bol en grès</g:title>" in second and "<title>" not in second
