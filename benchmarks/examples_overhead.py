"""What few-shot examples add to one row: rendering, choosing among many, and the leak guard.

    python benchmarks/examples_overhead.py [--examples 2000] [--rows 200]

A file of N approved listings (``--examples``); for each of the rows of ``benchmarks/products.csv``
(cycled to ``--rows``), ``prepare`` then ``validate_output`` on a fixed answer, with and without
``examples=FILE``, measured in the same run. Prints the time per row and the prompt's size in
both cases, and their ratios. The file is read once (then cached by its stamp), as in a batch.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import tempfile
import time
from pathlib import Path
from typing import Any

import copyassist
from copyassist.outputs.copywriting import ProductDescription
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import check_context, validate_output

HERE = Path(__file__).resolve().parent
ANSWER = ProductDescription(
    headline="Un produit pensé pour vous",
    description="Un produit soigné, pratique au quotidien, qui tient ses promesses jour après jour.",
    call_to_action="Découvrez-le.",
)


def _approved(path: Path, count: int) -> Path:
    categories = ["Vaisselle", "Luminaires", "Montres connectées", "Vêtements homme", "Gourdes"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "description", "brand", "category", "matière"])
        for k in range(count):
            writer.writerow([f"EX-{k}", f"Produit exemple {k}",
                             f"Un texte validé numéro {k}, fabriqué en série {k % 13}, livré avec soin "
                             f"dans sa boîte de {k % 40} cm. Il accompagne vos journées sans compter.",
                             f"Marque {k % 9}", categories[k % len(categories)],
                             f"matière {k % 7}"])  # fmt: skip
    return path


def _rows(count: int) -> list[dict[str, Any]]:
    with (HERE / "products.csv").open(encoding="utf-8") as handle:
        products = list(csv.DictReader(handle))
    return [dict(p) for p in itertools.islice(itertools.cycle(products), count)]


def _run(rows: list[dict[str, Any]], examples: str | None) -> tuple[float, int]:
    profile = load_profile("generic")
    chars = 0
    started = time.perf_counter()
    for product in rows:
        prepared = copyassist.prepare("product-description", product, language="fr", examples=examples)
        validate_output(ANSWER, profile, check_context(prepared.context, prepared.messages))
        chars += sum(len(m["content"]) for m in prepared.messages)
    return (time.perf_counter() - started) / len(rows), chars // len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args(argv)
    rows = _rows(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        path = str(_approved(Path(folder) / "approved.csv", args.examples))
        loading = time.perf_counter()
        copyassist.prepare("product-description", rows[0], language="fr", examples=path)
        loading = time.perf_counter() - loading
        _run(rows[:5], None)  # warm the template, profile and language caches alike
        plain, plain_chars = _run(rows, None)
        shown, shown_chars = _run(rows, path)
    print(f"{args.examples} examples read once in {loading * 1000:.0f} ms")
    print(f"per row (prepare + validate): without {plain * 1000:.2f} ms, "
          f"with examples {shown * 1000:.2f} ms, ratio {shown / plain:.2f}x")  # fmt: skip
    print(f"prompt size: without {plain_chars} chars, with {shown_chars} chars, "
          f"ratio {shown_chars / plain_chars:.2f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
