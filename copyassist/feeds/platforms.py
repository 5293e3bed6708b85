"""What each platform's export looks like: the columns Shopify, WooCommerce and Google Merchant
Center write, which of them hold product fields, which say nothing a copywriter can use, where
copy goes back, and how to tell the platform from a header."""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Feed formats: a platform's CSV export, any CSV or TSV, JSONL or JSON.
FORMATS = ("csv", "shopify", "woocommerce", "merchant", "jsonl", "json")
CSV_FORMATS = ("csv", "shopify", "woocommerce", "merchant")
LANGUAGE_COLUMNS = frozenset({"language", "langue", "lang", "locale", "content_language"})

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


def detect_format(columns: Sequence[str]) -> str:
    """ "shopify", "woocommerce", "merchant" or "csv", from a CSV header."""
    keys = {column_key(c) for c in columns}
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
    merchant = {merchant_key(c) for c in columns}
    google = {"link", "image_link", "availability", "google_product_category", "item_group_id", "gtin", "mpn"}
    if {"id", "title"} <= merchant and len(merchant & google) >= 2:
        return "merchant"
    return "csv"


def column_key(name: str) -> str:
    """A column name as the tables above spell it: lower case, one space, straight apostrophe."""
    return " ".join(str(name).replace("’", "'").lower().split())


def merchant_key(name: str) -> str:
    """A Merchant Center attribute name without its ``g:`` prefix, words joined by ``_``."""
    return column_key(name).removeprefix("g:").replace(" ", "_")


def find_column(columns: Sequence[str], *keys: str) -> str | None:
    """The first of ``columns`` whose key is one of ``keys``."""
    wanted = {column_key(k) for k in keys}
    return next((c for c in columns if column_key(c) in wanted), None)
