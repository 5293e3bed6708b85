"""Recall and false alarms of the translation facts guard on a small hand-labelled set.

    python benchmarks/translation_guard.py [--details]

Each case is a French source listing and an English translation of it, as a model could write
it: faithful ones (figures converted to imperial units, decimal commas turned to points,
facts moved between fields, brand names kept) and ones with one defect (an invented figure or
rating, a unit changed, a brand re-spelt, a field left in French). Every case goes through the
checks a ``translate`` generation gets (``validate_output`` with the source listing in the
context, the generic channel), and the figures are counted on the ``translation.*`` errors
(and ``language.mismatch``, which catches a long field left in French first): recall, the
defective cases whose expected rule is raised; false alarms, the faithful cases with any such
error, or with a ``translation.*`` warning. No model is called. The set was written by hand
alongside the checks, so its figures show what the guard does, not how it fares on real answers.
"""

from __future__ import annotations

import argparse
from typing import Any

from copyassist.outputs.translation import TranslatedListing
from copyassist.rules.profiles import load_profile
from copyassist.rules.validate import check_context, validate_output

LAMP = {
    "title": "Lampe de bureau LED Lumio 40 cm",
    "description": "Lampe LED de 8 W au bras orientable de 40 cm, 1,2 kg. Trois modes d'éclairage. "
    "Garantie 2 ans.",
    "bullets": "3 modes d'éclairage\nPort USB-C",
}
KETTLE = {
    "title": "Bouilloire Vapora 1,7 L inox",
    "description": "Bouilloire électrique Vapora de 2200 W, 1,7 L, arrêt automatique à 100 °C. Classe IPX4.",
}
TENT = {
    "title": "Tente Randa 2 places 2,5 kg",
    "description": "Tente Randa AirLite™ pour 2 personnes, 210 x 140 x 110 cm, 2,5 kg, "
    "colonne d'eau 3000 mm.",
}
KEYWORDS = ["desk lamp", "led lamp", "office lamp"]

#: (source, brand, translation fields, expected rule or None for a faithful translation); a
#: field left in French may be caught by the language check first (``language.mismatch``)
CASES: list[tuple[dict[str, str], str, dict[str, Any], str | None]] = [
    (
        LAMP,
        "Lumio",
        {
            "title": "Lumio LED Desk Lamp, 40 cm Arm",
            "bullets": ["3 lighting modes", "USB-C port"],
            "description": "An 8 W LED lamp with a 40 cm adjustable arm, 1.2 kg. Three lighting "
            "modes. 2-year warranty.",
        },
        None,
    ),
    (
        LAMP,
        "Lumio",
        {
            "title": "Lumio LED Desk Lamp 40 cm (15.7 in)",
            "bullets": ["3 light modes", "USB-C"],
            "description": "8 W LED desk lamp, 40 cm (15.7 in) swivel arm, weighs 1.2 kg (2.6 lb). "
            "Backed by a 2-year warranty.",
        },
        None,
    ),
    (
        LAMP,
        "Lumio",
        {
            "title": "Lumio 40 cm LED Desk Lamp",
            "bullets": ["Three lighting modes", "USB-C port"],
            "description": "Light your desk with 8 W of LED power on a 40 cm arm. It weighs just "
            "1.2 kg and comes with a 2-year guarantee.",
        },
        None,
    ),
    (
        KETTLE,
        "Vapora",
        {
            "title": "Vapora 1.7 L Stainless Steel Kettle",
            "description": "A 2200 W Vapora electric kettle holding 1.7 L, switching off "
            "automatically at 100 °C (212 °F). IPX4 rated.",
        },
        None,
    ),
    (
        KETTLE,
        "Vapora",
        {
            "title": "Vapora Stainless Kettle, 1.7 Litre",
            "description": "Vapora's 2,200 W kettle boils 1.7 litres and shuts off at 100 °C. "
            "IPX4 splash protection.",
        },
        None,
    ),
    (
        TENT,
        "Randa",
        {
            "title": "Randa 2-Person Tent, 2.5 kg",
            "description": "The Randa AirLite™ sleeps 2: 210 x 140 x 110 cm "
            "(82.7 x 55.1 x 43.3 in), 2.5 kg (5.5 lb), 3000 mm hydrostatic head.",
        },
        None,
    ),
    (
        TENT,
        "Randa",
        {
            "title": "Randa Tent for 2, 2.5 kg",
            "description": "Randa AirLite two-person tent measuring 210 x 140 x 110 cm and weighing "
            "2.5 kg, with a 3,000 mm waterproof rating.",
        },
        None,
    ),
    # defects
    (
        LAMP,
        "Lumio",
        {
            "title": "Lumio LED Desk Lamp, 40 cm Arm",
            "bullets": ["3 lighting modes", "USB-C port"],
            "description": "A 10 W LED lamp with a 40 cm arm, 1.2 kg. 2-year warranty.",
        },
        "translation.new_number",
    ),
    (
        LAMP,
        "Lumio",
        {
            "title": "Lumio LED Desk Lamp, 40 cm Arm",
            "bullets": ["5 lighting modes", "USB-C port"],
            "description": "An 8 W LED lamp with a 40 cm arm, 1.2 kg. 2-year warranty.",
        },
        "translation.new_number",
    ),
    (
        LAMP,
        "Lumio",
        {
            "title": "Lumio LED Desk Lamp, 40 cm Arm",
            "bullets": ["3 lighting modes", "USB-C port"],
            "description": "An 8 W LED lamp with a 40 cm arm, 1.2 kg, IP44 rated. 2-year warranty.",
        },
        "translation.new_claim",
    ),
    (
        LAMP,
        "Lumio",
        {
            "title": "Lumio LED Desk Lamp, 40 mm Arm",
            "bullets": ["3 lighting modes", "USB-C port"],
            "description": "An 8 W LED lamp with a 40 cm arm, 1.2 kg. 2-year warranty.",
        },
        "translation.unit_changed",
    ),
    (
        LAMP,
        "Lumio",
        {
            "title": "Lumio LED Desk Lamp, 40 cm Arm",
            "bullets": ["3 lighting modes", "USB-C port"],
            "description": "An 8 W LED lamp with a 40 cm (19 in) arm, 1.2 kg. 2-year warranty.",
        },
        "translation.new_number",
    ),
    (
        LAMP,
        "Lumio",
        {
            "title": "LUMIO LED Desk Lamp, 40 cm Arm",
            "bullets": ["3 lighting modes", "USB-C port"],
            "description": "An 8 W LED lamp with a 40 cm arm, 1.2 kg. 2-year warranty.",
        },
        "translation.brand_changed",
    ),
    (
        LAMP,
        "Lumio",
        {
            "title": "Lumio LED Desk Lamp, 40 cm Arm",
            "bullets": ["3 lighting modes", "USB-C port"],
            "description": "Une lampe LED de 8 W avec un bras de 40 cm, 1,2 kg. Garantie de 2 ans.",
        },
        "translation.untranslated",
    ),
    (
        KETTLE,
        "Vapora",
        {
            "title": "Vapora 1.7 L Stainless Steel Kettle",
            "description": "A 2200 W Vapora kettle, 1.7 L, auto shut-off at 100 °C. IPX4. Only $39.90.",
        },
        "translation.new_number",
    ),
    (
        KETTLE,
        "Vapora",
        {
            "title": "Vapora 1.7 L Stainless Steel Kettle",
            "description": "A 2200 W Vapora kettle, 1.7 L, auto shut-off at 100 °C. IPX7 rated.",
        },
        "translation.new_claim",
    ),
    (
        KETTLE,
        "Vapora",
        {
            "title": "Vapora 1.7 L Kettle",
            "description": "A 2200 W kettle from Vaporra, 1.7 L, auto shut-off at 100 °C. IPX4.",
        },
        "translation.brand_changed",
    ),
    (
        TENT,
        "Randa",
        {
            "title": "Randa 2-Person Tent, 2.5 kg",
            "description": "The Randa Airlite sleeps 2: 210 x 140 x 110 cm, 2.5 kg, 3000 mm "
            "hydrostatic head.",
        },
        "translation.brand_changed",
    ),
    (
        TENT,
        "Randa",
        {
            "title": "Randa 2-Person Tent, 2.5 kg",
            "description": "The Randa AirLite™ sleeps 2: 210 x 140 x 110 cm, 2.5 kg, 5000 mm "
            "hydrostatic head.",
        },
        "translation.new_number",
    ),
    (
        TENT,
        "Randa",
        {
            "title": "Randa 2-Person Tent, 2.5 kg",
            "description": "The Randa AirLite™ sleeps 2: 210 x 140 x 110 cm, 2.5 lb, 3000 mm "
            "hydrostatic head.",
        },
        "translation.unit_changed",
    ),
]


def _output(fields: dict[str, Any]) -> TranslatedListing:
    data = {"bullets": None, "description": None, "seo_title": None, "meta_description": None}
    return TranslatedListing.model_validate({**data, **fields, "keywords": KEYWORDS})


def checked(source: dict[str, str], brand: str, fields: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(errors counted, translation warnings) of one case."""
    render = {"language": "en", "brand": brand, "source_listing": source, "source_language": "fr",
              "product": {"brand": brand}}  # fmt: skip
    context = check_context(render, [{"role": "user", "content": "Rewrite this listing."}])
    found = validate_output(_output(fields), load_profile("generic"), context)
    counted = ("translation.", "language.mismatch")
    errors = {v.rule for v in found if v.severity == "error" and v.rule.startswith(counted)}
    warnings = {v.rule for v in found if v.severity == "warning" and v.rule.startswith("translation.")}
    return errors, warnings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="print each case's errors")
    details = parser.parse_args().details
    faithful = defective = caught = alarms = warned = 0
    for index, (source, brand, fields, expected) in enumerate(CASES):
        found, warnings = checked(source, brand, fields)
        if expected is None:
            faithful += 1
            alarms += bool(found)
            warned += bool(warnings)
        else:
            defective += 1
            caught += expected in found or (expected == "translation.untranslated" and bool(found))
        if details:
            raised = sorted(found | warnings) or "nothing"
            print(f"case {index}: expected {expected or 'nothing'}, raised {raised}")
    print(f"defective translations caught: {caught}/{defective} ({caught / defective:.0%})")
    print(f"faithful translations with a false error: {alarms}/{faithful} ({alarms / faithful:.0%})")
    print(f"faithful translations with a translation warning: {warned}/{faithful} ({warned / faithful:.0%})")


if __name__ == "__main__":
    main()
