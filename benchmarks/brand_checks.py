"""What the brand file's checks add to checking one output: with the example brand file vs none.

    python benchmarks/brand_checks.py [--rounds 200]

``validate_output`` on a fixed product description (``product-description``, French), best of
``--rounds``, with ``examples/brand.yaml`` (6 words to avoid, 2 names, 2 mentions, 3 spellings)
and without; then the spelling fix of the same output. Prints both times and their ratio.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import copyassist
from copyassist.outputs.copywriting import ProductDescription
from copyassist.rules.brand_voice import fix_output_spelling
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import check_context, validate_output

BRAND = Path(__file__).resolve().parent.parent / "examples" / "brand.yaml"
PRODUCT = {"title": "Marinière homme coton bio", "brand": "Atelier Lanvéoc", "features": ["Col bateau"]}
ANSWER = ProductDescription(
    headline="La marinière de l'Atelier Lanvéoc",
    description="Une marinière en coton biologique au col bateau, tricotée en Bretagne. "
    "Écrivez-nous par email pour toute question sur la taille.",
    call_to_action="Découvrez-la.",
)


def best_of(rounds: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args(argv)
    profile = load_profile("generic")
    timings = {}
    for label, brand in (("none", False), ("brand", str(BRAND))):
        prepared = copyassist.prepare("product-description", PRODUCT, language="fr", brand_voice=brand)
        context = check_context(prepared.context, prepared.messages)
        timings[label] = best_of(args.rounds, lambda c=context: validate_output(ANSWER, profile, c))
        if label == "brand":
            spelling = best_of(
                args.rounds, lambda p=prepared: fix_output_spelling(ANSWER, p.context["brand_voice"])
            )
    print(f"validate_output, one description: no brand {timings['none'] * 1000:.2f} ms, "
          f"with the example brand file {timings['brand'] * 1000:.2f} ms "
          f"(x{timings['brand'] / timings['none']:.2f}); spelling fix {spelling * 1000:.2f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
