"""Catalogue exports read as ``FeedRow``s: generic CSV/TSV, Shopify and WooCommerce product exports,
Google Merchant Center feeds, JSONL and JSON. The format is detected from the header, columns map
to product fields on their own, ``mapping`` overrides. Rows stream (JSON arrays aside)."""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copyassist import feeds
from copyassist.batch.model import FeedRow
from copyassist.errors import InputError
from copyassist.product import FIELD_ALIASES, Product

FORMATS = ("csv", "shopify", "woocommerce", "merchant", "jsonl", "json")
PRODUCT_FIELDS = tuple(name for name in Product.model_fields if name != "extra")
LIST_FIELDS = ("features", "keywords")
LANGUAGE_COLUMNS = frozenset({"language", "langue", "lang", "locale", "content_language"})
LENIENT = "copyassist-cp1252"  # codec error handler: bytes invalid in UTF-8 read as Windows-1252
MAX_GROUP = 5000  # rows of one Shopify handle held at once
MAX_HANDLES = 50_000  # Shopify handles remembered, to tell a late variant row from a new product

#: Per known format: product field -> column keys (lower-cased) in order of preference.
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "shopify": {
        "title": ("title",), "description": ("body (html)", "description"), "brand": ("vendor",),
        "category": ("type", "product category", "custom product type", "standard product type"),
        "keywords": ("tags",), "price": ("variant price", "price"), "sku": ("variant sku", "sku"),
        "gtin": ("variant barcode", "barcode"),
    },
    "woocommerce": {
        "title": ("name", "nom"), "description": ("description", "short description", "description courte"),
        "sku": ("sku", "ugs"), "gtin": ("gtin, upc, ean, or isbn", "gtin, upc, ean ou isbn"),
        "price": ("regular price", "tarif régulier"), "category": ("categories", "catégories"),
        "keywords": ("tags", "étiquettes"), "brand": ("brands", "marques", "brand", "marque"),
        "url": ("external url", "url externe"),
    },
    "merchant": {
        "sku": ("id",), "title": ("title",), "description": ("description",), "url": ("link",),
        "price": ("price",), "brand": ("brand",), "gtin": ("gtin",),
        "category": ("product_type", "google_product_category"), "features": ("product_highlight",),
    },
}  # fmt: skip
#: Technical columns that say nothing a copywriter can use: not shown to the model.
IGNORE: dict[str, re.Pattern[str]] = {
    "shopify": re.compile(
        r"(url )?handle|published( on online store| scope)?|status|gift card|seo (title|description)|"
        r"image (src|position|alt text)|product image url|variant .*|cost per item|charge tax|tax code|"
        r"inventory .*|continue selling when out of stock|weight .*|requires shipping|fulfillment service|"
        r"compare[- ]at price.*|(price|included) / .*|unit price .*|packed product .*|option\d linked to|"
        r"google shopping / .*|.*\(variant\.metafields\..*\)"
    ),
    "woocommerce": re.compile(
        r"id|type|parent|published|publié|is featured\?|mis en avant \?|visibility in catalog|"
        r"visibilité dans le catalogue|date sale price (starts|ends)|date de (début|fin) de promo|"
        r"tax (status|class)|(état|classe) de (la )?tva|in stock\?|en stock \?|stock|low stock amount|"
        r"montant de stock faible|backorders allowed\?|sold individually\?|vendre individuellement \?|"
        r"allow customer reviews\?|autoriser les avis clients \?|purchase note|note d'achat|"
        r"shipping class|classe d'expédition|images|download .*|téléchargement.*|grouped products|"
        r"produits groupés|upsells|cross-sells|ventes croisées|montée en gamme|button text|"
        r"libellé du bouton|position|cost of goods|meta: .*|.*attribut.*(visible|global|default|par défaut).*"
    ),
    "merchant": re.compile(
        r"(additional_|lifestyle_)?image_link|availability(_date)?|expiration_date|sale_price_effective_date|"
        r"shipping.*|ships_from_country|transit_time_label|(min|max)_handling_time|tax(_category)?|"
        r"identifier_exists|adult|custom_label_\d|promotion_id|(excluded|included)_destination|"
        r"shopping_ads_excluded_country|pause|ads_.*|mobile_link|canonical_link|.*_template|item_group_id|"
        r"structured_(title|description)|unit_pricing_.*|installment|subscription_cost|loyalty_.*|"
        r"cost_of_goods_sold|auto_pricing_.*|virtual_model_link|external_seller_id|short_title|"
        r"sell_on_google_quantity|return_policy_label|free_shipping_threshold|energy_efficiency_class|"
        r"(min|max)_energy_efficiency_class|certification|disclosure_date|multipack|is_bundle"
    ),
}
#: Generic CSV: names French and English sellers use, beyond ``product.FIELD_ALIASES``.
EXTRA_ALIASES = {
    "désignation": "title", "designation": "title", "libellé": "title", "libelle": "title",
    "product title": "title", "titre du produit": "title", "description longue": "description",
    "référence": "sku", "reference": "sku", "réf": "sku", "ref": "sku", "ugs": "sku",
    "ean13": "gtin", "code ean": "gtin", "code-barres": "gtin", "barcode": "gtin", "upc": "gtin",
    "prix ttc": "price", "prix de vente": "price", "prix public": "price", "regular price": "price",
    "fabricant": "brand", "vendor": "brand", "manufacturer": "brand", "tags": "keywords",
    "étiquettes": "keywords", "lien": "url", "link": "url", "points forts": "features",
    "catégories": "category", "categories": "category", "rayon": "category",
}  # fmt: skip
SHOPIFY_KEPT = {"google shopping / gender", "google shopping / age group", "google shopping / condition",
                "google shopping / mpn"}  # fmt: skip
LANGUAGE_NAMES = {"français": "fr", "francais": "fr", "french": "fr", "anglais": "en", "english": "en"}
_CODES = "EUR USD GBP CHF CAD AUD JPY CNY SEK NOK DKK PLN CZK MAD XOF"
CURRENCIES = {"€": "EUR", "$": "USD", "£": "GBP"} | {code: code for code in _CODES.split()}
_PRICE = re.compile(r"^\s*(?P<pre>[€$£]|[A-Za-z]{3}\b)?\s*(?P<num>[-+]?[\d\s\u00a0\u202f'’.,]*\d)\s*"
                    r"(?P<post>[€$£]|(?!TTC)[A-Za-z]{3})?\s*(?:TTC|HT)?\s*$", re.IGNORECASE)  # fmt: skip
_OPTION = re.compile(r"option([123]) (name|value)")
_WOO_ATTRIBUTE = re.compile(r".*attribut[e]? ?(\d+).*")
_METAFIELD = re.compile(r"\s*\(product\.metafields\.[^)]*\)\s*$")
_WOO_NEWLINE = re.compile(r"\\\\n|\\n")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
_HTML = re.compile(r"</?[a-zA-Z][^>]*>")


def _lenient(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in bad), exc.end


codecs.register_error(LENIENT, _lenient)


@dataclass
class _Plan:
    """Where a row's product fields, attributes, language and group come from."""

    fields: dict[str, list[str]] = field(default_factory=dict)  # product field -> columns, first filled wins
    attributes: dict[str, str] = field(default_factory=dict)  # column -> attribute name
    pairs: dict[str, list[str]] = field(default_factory=dict)  # n -> [name column, value column]
    language: str | None = None
    group: str | None = None  # Merchant item_group_id
    ignored: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)
    forced: dict[str, str] = field(default_factory=dict)  # --map: column -> target
    ranks: dict[str, int] = field(default_factory=dict)  # column -> preference among a field's columns
    special: dict[str, str | None] = field(default_factory=dict)  # WooCommerce: type, parent, sku, id


@dataclass
class Feed:
    """An opened feed: how it is written (to write it back alike) and where product data comes from."""

    path: Path
    format: str  # one of FORMATS
    columns: list[str]  # the header, in order (JSON: the first record's keys)
    delimiter: str  # "," for JSON feeds
    encoding: str  # "utf-8", "utf-8-sig" (write the BOM back) or "cp1252"
    mapping: dict[str, str]  # product field -> the column it is read from (the first, when several)
    language_column: str | None = None
    attribute_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    lineterminator: str = "\r\n"
    _plan: _Plan = field(default_factory=_Plan, repr=False)

    def rows(self) -> Iterator[FeedRow]:
        """Every row of the file, in order, read as it is consumed."""
        kind = self.format if self.format in ("jsonl", "json") else "csv"
        source = feeds.read_rows(self.path, delimiter=self.delimiter, encoding=self.encoding,
                                 errors=LENIENT, kind=kind)  # fmt: skip
        if self.format == "shopify":
            yield from self._shopify(source)
        else:
            yield from map(self._convert, source)

    def _convert(self, row: feeds.Row) -> FeedRow:
        if row.error is not None:
            return _unreadable(row)
        data, plan = row.data, self._plan
        for key in data if self.format in ("jsonl", "json") else ():
            if key not in plan.known:  # JSON records need not share their keys
                _place(plan, "csv", key)
        group = (_text(data.get(plan.group)) or None) if plan.group else None
        if self.format == "woocommerce":
            kinds = {k.strip().lower() for k in _text(_get(data, plan.special["type"])).split(",")}
            parent = _text(_get(data, plan.special["parent"]))
            if "variation" in kinds:
                return FeedRow(row.number, data, language=self._language(data),
                               skip=f"variation row of {parent or '?'}", group=parent or None)  # fmt: skip
            if "variable" in kinds:  # its variations' Parent: the SKU, or id:<ID>
                sku, number = _text(_get(data, plan.special["sku"])), _text(_get(data, plan.special["id"]))
                group = sku or f"id:{number}"
        return self._finish(row.number, data, self._product([data], data), group)

    def _shopify(self, source: Iterator[feeds.Row]) -> Iterator[FeedRow]:
        """Rows of one Handle are read together: the first with a title gets the product."""
        column = _column(self.columns, "handle", "url handle")
        done: OrderedDict[str, None] = OrderedDict()
        group: list[feeds.Row] = []
        for row in source:
            handle = _text(_get(row.data, column))
            if group and (row.error or not handle or len(group) >= MAX_GROUP
                          or handle != _text(_get(group[0].data, column))):  # fmt: skip
                yield from self._shopify_group(group, _text(_get(group[0].data, column)) or None, done)
                group = []
            if row.error is not None:
                yield _unreadable(row)
            else:
                group.append(row)
        if group:
            yield from self._shopify_group(group, _text(_get(group[0].data, column)) or None, done)

    def _shopify_group(self, group: list[feeds.Row], handle: str | None,
                       done: OrderedDict[str, None]) -> Iterator[FeedRow]:  # fmt: skip
        lead = None
        if handle is None or handle not in done:
            first = self._first
            lead = next(
                (r for r in group if first(r.data, "title") or first(r.data, "description")), group[0]
            )
        for row in group:
            if row is lead:
                product = self._product([r.data for r in group], row.data)
                yield self._finish(row.number, row.data, product, handle)
            else:
                yield FeedRow(row.number, row.data, language=self._language(row.data),
                              skip=f"variant row of {handle}", group=handle)  # fmt: skip
        if handle is not None:
            done[handle] = None
            done.move_to_end(handle)
            if len(done) > MAX_HANDLES:
                done.popitem(last=False)

    def _language(self, data: Mapping[str, Any]) -> str | None:
        text = _text(_get(data, self._plan.language)).lower()
        return (LANGUAGE_NAMES.get(text) or re.split(r"[-_]", text, maxsplit=1)[0]) if text else None

    def _first(self, data: Mapping[str, Any], name: str) -> str:
        for column in self._plan.fields.get(name, ()):
            value = _text(data.get(column))
            if value and not (name == "category" and value.isdigit()):  # a taxonomy id, not a name
                return value
        return ""

    def _product(self, rows: Sequence[Mapping[str, Any]], data: Mapping[str, Any]) -> dict[str, Any]:
        """The product fields of ``data``, with option values gathered from all ``rows``."""
        product: dict[str, Any] = {}
        for name, columns in self._plan.fields.items():
            if name in LIST_FIELDS:
                items = [part for column in columns for part in _split_list(data.get(column))]
                if items:
                    product[name] = list(dict.fromkeys(items))
            elif value := self._first(data, name):
                product[name] = value
        attributes: dict[str, str] = {}
        for column, label in self._plan.attributes.items():
            if isinstance(cell := data.get(column), Mapping):  # a JSON "attributes" object
                attributes.update({str(k): t for k, v in cell.items() if (t := _text(v))})
            elif text := _text(cell):
                attributes[label] = text
        for name_column, value_column in self._plan.pairs.values():
            label = next((t for r in rows if (t := _text(r.get(name_column)))), "")
            values = [v.replace("\\,", ",") for v in dict.fromkeys(_text(r.get(value_column)) for r in rows)
                      if v]  # fmt: skip
            if label and values and values != ["Default Title"]:  # Shopify's product without options
                attributes["variants" if label.lower() == "title" else label] = ", ".join(values)
        if "description" in product:
            text = product["description"]
            if self.format == "woocommerce":  # its exporter writes line breaks as \n
                text = _WOO_NEWLINE.sub(lambda m: "\\n" if len(m.group()) == 3 else "\n", text)
            product["description"] = html_to_text(text)
        if "price" in product:
            product["price"], currency = split_price(product["price"])
            if currency and "currency" not in product:
                product["currency"] = currency
            others = rows if len(rows) > 1 else ()  # the variants of a Shopify product
            prices = {split_price(p)[0] for r in others if (p := self._first(r, "price"))}
            if len(prices) > 1 and all(_NUMBER.fullmatch(p) for p in prices):
                attributes["price range"] = f"{min(prices, key=float)} - {max(prices, key=float)}"
        if attributes:
            product["attributes"] = attributes
        return product

    def _finish(self, number: int, data: dict[str, Any], product: dict[str, Any],
                group: str | None) -> FeedRow:  # fmt: skip
        language = self._language(data)
        if product.get("title") or product.get("description"):
            return FeedRow(number, data, product=product, language=language, group=group)
        looked = [c for name in ("title", "description") for c in self._plan.fields.get(name, ())]
        where = f"(looked in: {', '.join(looked)})" if looked else "(no such column: map a column to title)"
        return FeedRow(number, data, language=language, skip=f"no title and no description {where}",
                       error=True, group=group)  # fmt: skip


def open_feed(
    path: str | Path,
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Feed:
    """Open ``path``: CSV/TSV (Shopify, WooCommerce, Merchant Center or any), JSONL or JSON.

    ``format`` is detected when None. ``mapping`` is original column -> product field
    (``{"Nom du produit": "title"}``) over the automatic one; "language", "attributes" (keep the
    column as an attribute) and "ignore" are targets too."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"no such file: {file}")
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown feed format {format!r}; formats: {', '.join(FORMATS)}")
    suffix = file.suffix.lower()
    kind = format if format in ("jsonl", "json") else None
    kind = kind or ("jsonl" if suffix in (".jsonl", ".ndjson") else "json" if suffix == ".json" else "csv")
    terminator = "\r\n"
    if kind == "csv":
        with file.open("rb") as raw:
            sample = raw.read(feeds.SAMPLE_BYTES)
        encoding = encoding or feeds.detect_encoding(sample)
        text = sample.decode(encoding, LENIENT)
        first_line = text.split("\n", 1)[0]
        terminator = "\r\n" if first_line.endswith("\r") else "\n"
        delimiter = delimiter or ("\t" if suffix == ".tsv" else sniff_delimiter(first_line, text))
        columns = [name.strip() for name in next(csv.reader(io.StringIO(text), delimiter=delimiter), [])]
        chosen = format or detect_format(columns)
    else:
        if format not in (None, kind):
            raise InputError(
                f"{file}: format {format!r} reads CSV/TSV files, not {kind.upper()}"
            ).with_hint("feed_format")
        first = next((r for r in feeds.read_rows(file, errors=LENIENT, kind=kind) if r.error is None), None)
        columns = [str(key) for key in first.data] if first else []
        chosen, delimiter, encoding = kind, delimiter or ",", "utf-8"
    if chosen == "shopify" and _column(columns, "handle", "url handle") is None:
        raise InputError(f"{file}: a Shopify export has a Handle column; columns: {', '.join(columns)}")
    plan = _Plan(forced=_forced(mapping or {}, columns, file))
    for column in columns:
        _place(plan, chosen, column)
    if chosen == "woocommerce":
        keys = {"type": ("type",), "parent": ("parent",), "sku": ("sku", "ugs"), "id": ("id",)}
        plan.special = {name: _column(columns, *names) for name, names in keys.items()}
    return Feed(file, chosen, columns, delimiter, encoding,
                mapping={name: cols[0] for name, cols in plan.fields.items()}, language_column=plan.language,
                attribute_columns=list(plan.attributes), ignored_columns=plan.ignored,
                lineterminator=terminator, _plan=plan)  # fmt: skip


def detect_format(columns: Sequence[str]) -> str:
    """ "shopify", "woocommerce", "merchant" or "csv", from a CSV header."""
    keys = {_key(c) for c in columns}
    shopify = {"body (html)", "vendor", "variant sku", "variant price", "variant barcode", "option1 name",
               "option1 value", "image src", "product image url", "published on online store", "seo title",
               "seo description", "variant grams", "gift card"}  # fmt: skip
    if keys & {"handle", "url handle"} and "title" in keys and keys & shopify:
        return "shopify"
    woo = {"regular price", "tarif régulier", "short description", "description courte", "parent", "sku",
           "ugs", "visibility in catalog", "visibilité dans le catalogue", "is featured?", "mis en avant ?",
           "in stock?", "en stock ?", "sale price", "tarif promo", "attribute 1 name"}  # fmt: skip
    if "type" in keys and keys & {"name", "nom"} and len(keys & woo) >= 2:
        return "woocommerce"
    merchant = {_merchant_key(c) for c in columns}
    google = {"link", "image_link", "availability", "google_product_category", "item_group_id", "gtin", "mpn"}
    if {"id", "title"} <= merchant and len(merchant & google) >= 2:
        return "merchant"
    return "csv"


def sniff_delimiter(header: str, sample: str) -> str:
    """The delimiter the header line has most of outside quotes; on a tie, ``feeds.detect_delimiter``."""
    counts = dict.fromkeys(feeds.DELIMITERS, 0)
    quoted = False
    for char in header:
        quoted = quoted != (char == '"')
        if not quoted and char in counts:
            counts[char] += 1
    first, second = sorted(counts.values(), reverse=True)[:2]
    if first == 0:  # one column: a delimiter its values do not hold, so no row splits
        return next((d for d in feeds.DELIMITERS if d not in sample), ",")
    return max(counts, key=counts.__getitem__) if first > second else feeds.detect_delimiter(sample)


def split_price(text: str) -> tuple[str, str | None]:
    """``"1 299,00 €"`` -> ``("1299.00", "EUR")``, ``"149.90 EUR"`` -> ``("149.90", "EUR")``; text
    that is not a price comes back stripped, with no currency."""
    match = _PRICE.match(text)
    sign = (match.group("pre") or match.group("post") or "").upper() if match else ""
    if match is None or (sign and sign not in CURRENCIES):
        return text.strip(), None
    number = "".join(match.group("num").replace("'", " ").replace("’", " ").split())
    if "," in number and "." in number:  # the last one is the decimal mark
        thousands = "." if number.rfind(",") > number.rfind(".") else ","
        number = number.replace(thousands, "").replace(",", ".")
    elif number.count(",") == 1 and not (len(number) > 4 and number[-4] == "," and number[-5].isdigit()):
        number = number.replace(",", ".")  # a decimal comma, not 1,299
    number = number.replace(",", "")
    if not _NUMBER.fullmatch(number):
        return text.strip(), None
    return number, CURRENCIES.get(sign)


def html_to_text(text: str) -> str:
    """Product HTML as plain text (paragraphs, "- " list items); text without tags is kept as is."""
    if "<" not in text or not _HTML.search(text):
        return text.strip()
    text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text)
    text = re.sub(r"(?i)<li\b[^>]*>", "\n- ", text)
    text = re.sub(r"(?i)<br\s*/?>|</?(div|ul|ol|tr|table|section|article|h\d)\b[^>]*>", "\n", text)
    text = html.unescape(re.sub(r"<[^>]*>", "", re.sub(r"(?i)</?p\b[^>]*>", "\n\n", text)))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _forced(mapping: Mapping[str, str], columns: Sequence[str], file: Path) -> dict[str, str]:
    """``mapping`` pairs checked: each column exists, each target is a field (or alias) we know."""
    forced: dict[str, str] = {}
    choices = (*PRODUCT_FIELDS, "language", "ignore")
    for wanted, target in mapping.items():
        column = wanted if wanted in columns else _column(columns, wanted)
        if column is None:
            raise InputError(
                f"mapping: no column {wanted!r} in {file.name}; columns: {', '.join(columns)}"
            ).with_hint("mapping")
        name = target.strip().lower()
        name = {"attribute": "attributes", "-": "ignore"}.get(name) or FIELD_ALIASES.get(name) or name
        if name not in choices:
            raise InputError(
                f"mapping {wanted}={target}: no field {target!r}; fields: {', '.join(choices)}"
            ).with_hint("mapping")
        forced[column] = name
    return forced


def _place(plan: _Plan, fmt: str, column: str) -> None:
    """Put one column in ``plan``: a product field, an attribute, an option pair, or ignored."""
    plan.known.add(column)
    key = _merchant_key(column) if fmt == "merchant" else _key(column)
    name = plan.forced.get(column) or ("ignore" if key.startswith("copyassist_") else None)  # our own output
    plan.ranks[column] = -1 if name else len(plan.known)
    if name is None:
        for candidate, keys in FIELDS.get(fmt, {}).items():
            if key in keys:
                name, plan.ranks[column] = candidate, keys.index(key)
        if name is None and fmt in ("csv", "jsonl", "json"):
            name = key if key in PRODUCT_FIELDS else FIELD_ALIASES.get(key) or EXTRA_ALIASES.get(key)
        if name is None and key in LANGUAGE_COLUMNS:
            name = "language"
        if name in plan.forced.values() and name not in LIST_FIELDS:  # --map chose another column
            name = "ignore" if name == "language" else "attributes"
    if name == "language" and plan.language is None:
        plan.language = column
    elif name == "ignore" or name == "language":
        plan.ignored.append(column)
    elif name == "attributes":
        plan.attributes[column] = column
    elif name is not None:
        plan.fields.setdefault(name, []).append(column)
        plan.fields[name].sort(key=plan.ranks.__getitem__)
    elif fmt == "merchant" and key == "item_group_id":
        plan.group = column
        plan.ignored.append(column)
    elif fmt == "shopify" and (option := _OPTION.fullmatch(key)):
        plan.pairs.setdefault(option.group(1), ["", ""])[option.group(2) == "value"] = column
    elif fmt == "woocommerce" and (found := _WOO_ATTRIBUTE.fullmatch(key)) and not IGNORE[fmt].fullmatch(key):
        role = any(word in key for word in ("value", "valeur", "wert"))
        plan.pairs.setdefault(found.group(1), ["", ""])[role] = column
    elif fmt == "shopify" and key in SHOPIFY_KEPT:
        plan.attributes[column] = column.split("/", 1)[1].strip()
    elif fmt in IGNORE and IGNORE[fmt].fullmatch(key):
        plan.ignored.append(column)
    else:
        plan.attributes[column] = _METAFIELD.sub("", column) or column


def _unreadable(row: feeds.Row) -> FeedRow:
    reason = row.error or "?"
    skip = reason if reason.startswith("unreadable") else f"unreadable row: {reason}"
    return FeedRow(row.number, dict(row.data), skip=skip, error=True)


def _get(data: Mapping[str, Any], column: str | None) -> Any:
    return None if column is None else data.get(column)


def _key(name: str) -> str:
    return " ".join(str(name).replace("’", "'").lower().split())


def _merchant_key(name: str) -> str:
    return _key(name).removeprefix("g:").replace(" ", "_")


def _column(columns: Sequence[str], *keys: str) -> str | None:
    wanted = {_key(k) for k in keys}
    return next((c for c in columns if _key(c) in wanted), None)


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(t for v in value if (t := _text(v)))
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {t}" for k, v in value.items() if (t := _text(v)))
    return str(value).strip()


def _split_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [t for v in value if (t := _text(v))]
    text = _text(value)
    separator = "|" if "|" in text else ";" if ";" in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]
