"""How checking one output grows with the product's attribute count: 300 vs 3,000 attributes.

    python benchmarks/validation_scaling.py [--small 300] [--large 3000]

A product with N attributes ("Attribut k: valeur k"), rendered with ``product-description``; the
time is ``validate_output`` on a fixed answer, best of 3. Linear growth gives a ratio near
large/small (10x), quadratic near its square (100x).
"""

from __future__ import annotations

import argparse
import time

import copyassist
from copyassist.outputs.copywriting import ProductDescription
from copyassist.rules import leftovers
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import check_context, validate_output


def seconds(attributes: int) -> float:
    product: dict[str, object] = {"title": "Lampe de bureau LED Lumio", "brand": "Lumio"}
    # a feed of N columns: each one a product field, as a CSV row maps them
    product |= {f"Attribut {k}": f"valeur {k} matière {k % 7} pour le bureau" for k in range(attributes)}
    prepared = copyassist.prepare("product-description", product, language="fr")
    answer = ProductDescription(
        headline="Lampe de bureau LED Lumio",
        description="<p>Une lampe de bureau LED Lumio, valeur 12 et matière 3, pour travailler.</p>",
        call_to_action="Découvrez-la",
    )
    best = float("inf")
    for _ in range(3):
        for cached in (leftovers._instructions, leftovers._line_words, leftovers._plain_line):
            cached.cache_clear()  # each row of a feed is a new prompt: time the uncached check
        started = time.perf_counter()
        context = check_context(prepared.context, prepared.messages)
        validate_output(answer, load_profile("generic"), context)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--large", type=int, default=3000)
    args = parser.parse_args(argv)
    small, large = seconds(args.small), seconds(args.large)
    print(f"validation of one output: {args.small} attributes {small * 1000:.0f} ms, "
          f"{args.large} attributes {large * 1000:.0f} ms")  # fmt: skip
    growth = args.large / args.small
    print(f"  ratio {large / small:.1f}x for {growth:.0f}x the attributes "
          f"(linear ~{growth:.0f}x, quadratic ~{growth**2:.0f}x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
