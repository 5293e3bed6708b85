"""Cell values: feed cells read as product values (prices, HTML, lists) and copy written as the
values a platform expects back (Shopify's Body (HTML), Merchant Center's structured attributes)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

_CODES = "EUR USD GBP CHF CAD AUD JPY CNY SEK NOK DKK PLN CZK MAD XOF"
CURRENCIES = {"€": "EUR", "$": "USD", "£": "GBP"} | {code: code for code in _CODES.split()}
_PRICE = re.compile(r"^\s*(?P<pre>[€$£]|[A-Za-z]{3}\b)?\s*(?P<num>[-+]?[\d\s\u00a0\u202f'’.,]*\d)\s*"
                    r"(?P<post>[€$£]|(?!TTC)[A-Za-z]{3})?\s*(?:TTC|HT)?\s*$", re.IGNORECASE)  # fmt: skip
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
_HTML_TAG = re.compile(r"</?(?:p|br|ul|ol|li|strong|em|b|i|h[1-6]|div|span|a)\b[^>]*>", re.IGNORECASE)


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
    if not NUMBER.fullmatch(number):
        return text.strip(), None
    return number, CURRENCIES.get(sign)


def cell_text(value: Any) -> str:
    """A cell as stripped text: lists joined with ", ", objects as "key: value" pairs."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(t for v in value if (t := cell_text(v)))
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {t}" for k, v in value.items() if (t := cell_text(v)))
    return str(value).strip()


def split_list(value: Any) -> list[str]:
    """A list cell's items: a JSON list, or text split on "|", else ";", else ","."""
    if isinstance(value, list | tuple):
        return [t for v in value if (t := cell_text(v))]
    text = cell_text(value)
    separator = "|" if "|" in text else ";" if ";" in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]


def merchant_structured_value(content: str) -> str:
    """A ``structured_title``/``structured_description`` value for text feeds, AI-generated.

    Google Merchant Center Help, "Title [title] and structured title [structured_title]"
    (https://support.google.com/merchants/answer/6324415) and "Description [description] and
    structured description [structured_description]" (https://support.google.com/merchants/answer/6324468):
    digital_source_type ``trained_algorithmic_media`` and the content, separated by a colon, the
    content in double quotes when it holds a colon or a double quote, e.g.
    ``trained_algorithmic_media:"Stride & Conquer: Original Google Men's Blue & Orange Power Shoes"``.
    A double quote inside is doubled, as in Google's quoted attributes for text feeds
    (https://support.google.com/merchants/answer/14998273).
    """
    if ":" in content or '"' in content:
        content = '"' + content.replace('"', '""') + '"'
    return f"trained_algorithmic_media:{content}"


def as_shopify_html(text: str) -> str:
    """Plain-text paragraphs as ``<p>`` blocks for Shopify's Body (HTML); HTML is kept as it is."""
    if _HTML_TAG.search(text):
        return text
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join("<p>" + html.escape(b, quote=False).replace("\n", "<br>") + "</p>" for b in blocks)
