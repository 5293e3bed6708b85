"""What each platform's export looks like: the columns Shopify, WooCommerce and Google Merchant
Center write, which of them hold product fields, which say nothing a copywriter can use, where
copy goes back, and how to tell the platform from its set of columns. Names are compared as
``copyassist.columns.column_key`` spells them (no case, accents or punctuation)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from copyassist.columns import column_key, keys_of

#: Feed formats: a platform's CSV export, any CSV or TSV, JSONL or JSON.
FORMATS = ("csv", "shopify", "woocommerce", "merchant", "jsonl", "json")
CSV_FORMATS = ("csv", "shopify", "woocommerce", "merchant")

#: Per known format: product field -> column keys in order of preference.
_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
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
FIELDS = {fmt: {name: keys_of(names) for name, names in table.items()} for fmt, table in _FIELDS.items()}
#: Technical columns that say nothing a copywriter can use: not shown to the model (keys as
#: ``column_key`` writes them: ``Is featured?`` is ``is featured``).
IGNORE: dict[str, re.Pattern[str]] = {
    "shopify": re.compile(
        r"(url )?handle|published( on online store| scope)?|status|gift card|seo (title|description)|"
        r"image (src|position|alt text)|product image url|variant .*|cost per item|charge tax|tax code|"
        r"inventory .*|continue selling when out of stock|weight .*|requires shipping|fulfillment service|"
        r"compare at price.*|(price|included) .+|unit price .*|packed product .*|option\d linked to|"
        r"google shopping .*|.* variant metafields .*"
    ),
    "woocommerce": re.compile(
        r"id|type|parent|published|publie|is featured|mis en avant|visibility in catalog|"
        r"visibilite dans le catalogue|date sale price (starts|ends)|date de (debut|fin) de promo|"
        r"tax (status|class)|(etat|classe) de (la )?tva|in stock|en stock|stock|low stock amount|"
        r"montant de stock faible|backorders allowed|autoriser les commandes de produits en rupture|"
        r"sold individually|vendre individuellement|allow customer reviews|autoriser les avis clients|"
        r"purchase note|note d achat|shipping class|classe d expedition|images|download .*|"
        r"telechargement.*|limite de telechargement|jours d expiration du telechargement|grouped products|"
        r"produits groupes|upsells|produits suggeres|cross sells|ventes croisees|montee en gamme|"
        r"button text|libelle du bouton|position|cost of goods|meta .*|"
        r".*attribut.*(visible|global|default|par defaut).*"
    ),
    "merchant": re.compile(
        r"(additional |lifestyle )?image link|availability( date)?|expiration date|sale price effective date|"
        r"shipping.*|ships from country|transit time label|(min|max) handling time|tax( category)?|"
        r"identifier exists|adult|custom label \d|promotion id|(excluded|included) destination|"
        r"shopping ads excluded country|pause|ads .*|mobile link|canonical link|.* template|item group id|"
        r"structured (title|description)|unit pricing .*|installment|subscription cost|loyalty .*|"
        r"cost of goods sold|auto pricing .*|virtual model link|external seller id|short title|"
        r"sell on google quantity|return policy label|free shipping threshold|energy efficiency class|"
        r"(min|max) energy efficiency class|certification|disclosure date|multipack|is bundle"
    ),
}
SHOPIFY_KEPT = frozenset(keys_of(("google shopping / gender", "google shopping / age group",
                                "google shopping / condition", "google shopping / mpn")))  # fmt: skip
LANGUAGE_NAMES = {"français": "fr", "francais": "fr", "french": "fr", "anglais": "en", "english": "en"}
#: Where each platform keeps the copy an output field replaces (used when the column exists).
KNOWN_TARGETS: dict[str, dict[str, str]] = {
    "shopify": {
        "title": "Title",
        "description": "Body (HTML)",
        "seo_title": "SEO Title",
        "meta_description": "SEO Description",
    },
    "woocommerce": {"title": "Name", "description": "Description"},
    "merchant": {"title": "title", "description": "description"},
}
#: Merchant Center: copy written by generative AI goes to these attributes, not title/description.
STRUCTURED_TARGETS = {"title": "structured_title", "description": "structured_description"}
SHOPIFY_OPTION = re.compile(r"option([123]) (name|value)")
SHOPIFY_METAFIELD = re.compile(r"\s*\(product\.metafields\.[^)]*\)\s*$")
WOO_ATTRIBUTE = re.compile(r".*attribut[e]? ?(\d+).*")
#: The values of WooCommerce's Type column ("simple, virtual" is a simple product sold online).
WOO_TYPES = frozenset({"simple", "variable", "variation", "grouped", "external", "virtual", "downloadable"})

#: Columns only each platform's export writes: a header with enough of them is that platform's.
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "shopify": (
        "handle", "url handle", "body (html)", "vendor", "variant sku", "variant price", "variant barcode",
        "option1 name", "option1 value", "image src", "product image url", "published on online store",
        "seo title", "seo description", "variant grams", "gift card", "variant inventory qty",
        "variant compare at price", "variant requires shipping", "variant taxable",
    ),
    "woocommerce": (
        "regular price", "tarif régulier", "short description", "description courte", "parent", "sku", "ugs",
        "visibility in catalog", "visibilité dans le catalogue", "is featured?", "mis en avant ?",
        "in stock?", "en stock ?", "sale price", "tarif promo", "attribute 1 name", "nom de l’attribut 1",
        "tax status", "état de la tva", "tax class", "classe de tva", "backorders allowed?",
        "sold individually?", "vendre individuellement ?", "allow customer reviews?",
        "autoriser les avis clients ?", "purchase note", "note d’achat", "shipping class",
        "classe d’expédition", "grouped products", "produits groupés", "upsells", "cross-sells",
        "ventes croisées", "button text", "libellé du bouton", "published", "publié", "low stock amount",
        "date sale price starts", "date de début de promo",
    ),
    "merchant": (
        "link", "image_link", "availability", "google_product_category", "item_group_id", "gtin", "mpn",
        "condition", "identifier_exists", "additional_image_link", "shipping", "sale_price",
    ),
}  # fmt: skip
SIGNATURES = {fmt: frozenset(keys_of(names)) for fmt, names in _SIGNATURES.items()}


def detect_format(columns: Sequence[str]) -> str:
    """ "shopify", "woocommerce", "merchant" or "csv", from the set of a CSV header's columns:
    no single header decides (a French WooCommerce export may leave ``Type`` blank)."""
    keys = {column_key(c) for c in columns}
    merchant = {merchant_key(c) for c in columns}
    shopify = len(keys & SIGNATURES["shopify"])
    if keys & {"handle", "url handle"} and "title" in keys and shopify >= 2:
        return "shopify"
    woo = len(keys & SIGNATURES["woocommerce"])
    if keys & {"name", "nom"} and (woo >= 4 or ("type" in keys and woo >= 2)):
        return "woocommerce"
    if {"id", "title"} <= merchant and len(merchant & SIGNATURES["merchant"]) >= 2:
        return "merchant"
    return "csv"


def merchant_key(name: str) -> str:
    """A Merchant Center attribute name as ``column_key`` writes it, without its ``g:`` prefix."""
    return column_key(re.sub(r"^\s*g:", "", str(name), flags=re.IGNORECASE))
