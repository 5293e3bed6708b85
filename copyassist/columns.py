"""The column vocabulary: which header names mean which product field, in French and English and
as each platform's export spells them (PrestaShop ``Name *``, Etsy ``TITLE``, WooCommerce ``UGS``).

Names are compared by :func:`column_key`, so case, accents and punctuation never matter:
``Name *``, ``NAME`` and ``name`` are one name, ``Référence #`` and ``reference`` another.
Product files, generic CSV feeds, ``check`` and the ``mapping`` targets all look names up here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from copyassist.rules.text import fold

_NOT_WORD = re.compile(r"[\W_]+")


def column_key(name: object) -> str:
    """A column name with case, accents and punctuation gone, words split by one space:
    ``Prix (TTC) *`` -> ``prix ttc``, ``Nom de l’attribut 1`` -> ``nom de l attribut 1``."""
    return " ".join(_NOT_WORD.sub(" ", fold(str(name))).split())


def keys_of(names: Iterable[str]) -> tuple[str, ...]:
    """The keys of ``names``, each once, in order."""
    return tuple(dict.fromkeys(column_key(n) for n in names))


#: Product field -> the names sellers' files give it, most telling first (a column whose name
#: comes earlier wins when several are filled). French and English, and each platform's own.
_VOCABULARY: dict[str, tuple[str, ...]] = {
    "title": (
        "title", "titre", "name", "nom", "product name", "product title", "nom produit", "nom du produit",
        "titre du produit", "titre produit", "nom de l article", "nom article", "designation",
        "désignation", "désignation produit", "libellé", "libellé produit", "libellé article", "intitulé",
        "item name", "item_name", "listing title", "produit",
    ),
    "description": (
        "description", "body", "body (html)", "body html", "description longue", "long description",
        "description produit", "description du produit", "descriptif", "descriptif produit",
        "description courte", "short description", "résumé", "summary", "texte", "product description",
        "product_description",
    ),
    "price": (
        "price", "prix", "prix ttc", "price tax included", "prix boutique", "prix de vente",
        "prix de vente ttc", "prix public", "prix public ttc", "prix unitaire", "regular price",
        "tarif régulier", "tarif", "retail price", "price tax excluded", "prix ht", "prix de vente ht",
        "standard price", "standard_price",
    ),
    "currency": ("currency", "devise", "currency code", "monnaie"),
    "brand": (
        "brand", "marque", "brands", "marques", "vendor", "manufacturer", "fabricant", "nom de la marque",
    ),
    "category": (
        "category", "catégorie", "categories", "catégories", "categories (x,y,z...)", "catégorie principale",
        "default category", "catégorie par défaut", "product type", "product_type", "type de produit",
        "type", "rayon", "famille", "sous-catégorie",
    ),
    "sku": (
        "sku", "ugs", "référence", "reference #", "référence produit", "product reference", "réf", "ref",
        "code article", "réf article", "item sku", "code produit",
    ),
    "gtin": (
        "gtin", "ean", "ean13", "ean 13", "code ean", "code-barres", "code barre", "barcode", "upc", "isbn",
        "gtin, upc, ean, or isbn", "gtin, upc, ean ou isbn",
    ),
    "keywords": ("keywords", "mots-clés", "mots clefs", "tags", "étiquettes", "tags (x,y,z...)", "mots clés"),
    "features": ("features", "caractéristiques", "points forts", "bullet points", "avantages"),
    "url": (
        "url", "link", "lien", "product url", "url produit", "url du produit", "external url", "url externe",
    ),
}  # fmt: skip
FIELD_NAMES: dict[str, tuple[str, ...]] = {name: keys_of(names) for name, names in _VOCABULARY.items()}
#: Column key -> the product field it holds.
FIELD_OF: dict[str, str] = {key: name for name, keys in reversed(FIELD_NAMES.items()) for key in keys}
LANGUAGE_KEYS = frozenset(keys_of(("language", "langue", "lang", "locale", "content_language")))
#: Technical columns of any export that tell a copywriter nothing (stock, pictures, switches).
TECHNICAL = re.compile(
    r"id|ids|quantity|quantite|qty|qte|stock|stock quantity|quantite en stock|minimal quantity|"
    r"images?( urls?)?( x y z)?|image( alt texts?)?( x y z)?|image\d+|image url \d+|photo( \d+)?|"
    r"active( 0 1)?|actif|published|publie|visible|position|date .*|.* date|created at|updated at"
)
#: The kinds of copy ``check`` audits -> the column names that hold them.
COPY_NAMES: dict[str, tuple[str, ...]] = {
    "title": FIELD_NAMES["title"],
    "description": keys_of(("description", "body (html)", "body_html", "descriptif", "description longue",
                          "description produit", "long description")),
    "seo_title": keys_of(("seo title", "meta title", "titre seo", "meta titre", "balise titre")),
    "meta_description": keys_of(("seo description", "meta description", "méta-description")),
}  # fmt: skip


def field_for(name: str) -> str | None:
    """The product field a column (or a ``mapping`` target) named ``name`` holds, if any."""
    return FIELD_OF.get(column_key(name))


def rank_of(field_name: str, name: str) -> int:
    """How early ``name`` comes among the names of ``field_name`` (lower wins)."""
    keys = FIELD_NAMES.get(field_name, ())
    key = column_key(name)
    return keys.index(key) if key in keys else len(keys)


def find_column(columns: Sequence[str], *names: str) -> str | None:
    """The first of ``columns`` whose key is the key of one of ``names``."""
    wanted = {column_key(n) for n in names}
    return next((c for c in columns if column_key(c) in wanted), None)


def copy_columns(columns: Iterable[str]) -> dict[str, str]:
    """Kind of copy -> the column holding it, for the columns whose names say so."""
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(column_key(column), column)
    found: dict[str, str] = {}
    for kind, keys in COPY_NAMES.items():
        chosen = next((by_key[k] for k in keys if k in by_key), None)
        if chosen is not None and chosen not in found.values():
            found[kind] = chosen
    return found


@dataclass(frozen=True)
class ColumnMapping:
    """Which column feeds which field, said out loud before a run: ``str()`` is the line printed."""

    fields: Mapping[str, Sequence[str]]  # field -> its columns, the first filled one wins
    attributes: Sequence[str] = ()  # columns shown to the model as they are named
    unmapped: Sequence[str] = ()  # columns not used
    language: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)  # role -> column (WooCommerce type...)

    @property
    def has_copy_source(self) -> bool:
        """True when some column holds a title or a description (else nothing can be written)."""
        return bool(self.fields.get("title") or self.fields.get("description"))

    def __str__(self) -> str:
        parts = [f"{name} <- {_listed(columns)}" for name, columns in self.fields.items()]
        if self.language:
            parts.append(f"language <- {_shown(self.language)}")
        parts += [f"{role} <- {_shown(column)}" for role, column in self.extra.items()]
        line = ", ".join(parts) or "no column mapped"
        if self.attributes:
            line += f"; attributes: {_listed(self.attributes)}"
        if self.unmapped:
            line += f"; unmapped: {_listed(self.unmapped)}"
        return line


def _shown(column: str) -> str:
    return column if column.strip() else repr(column)  # a blank header is seen as ''


def _listed(columns: Iterable[str]) -> str:
    return ", ".join(_shown(c) for c in columns)
