"""What the facts guard needs to read German, Spanish and Italian copy (``copyassist.rules.facts``).

Numbers: the three write a decimal comma, as French does, and a dot between thousands
(``1.500 mAh``, ``1.299,90 €``), where English writes a decimal point. So copy in them is read
the :data:`DOT_THOUSANDS` way: ``1.500`` is 1500, ``1,5`` and ``1.5`` are 1.5, ``5,000`` is 5.
The product data is read every way (French, English, and this), as it already was both ways:
``1.500`` in the data supports ``1500`` and ``1.5`` alike.

Units: their spellings of the units the guard knows (:data:`UNIT_TABLE`, added to the French and
English table; ``Liter``, ``Meter``, ``Kilometer`` are already English spellings). Only forms
that are not ordinary French or English words after a number: Spanish ``mes`` (month) is
left out, it is French for "my". Spelled-out numbers (``zwei Jahre``) are not read, as
in French and English for most numbers: they are not checked.
"""

from __future__ import annotations

from copyassist.i18n import language_code

#: The reading of numbers with a decimal comma and dots between thousands.
DOT_THOUSANDS = "de"
#: The copy languages read that way.
DOT_THOUSANDS_LANGUAGES = frozenset({"de", "es", "it"})
#: Every reading the product data is read in.
DATA_READINGS = ("fr", "en", DOT_THOUSANDS)

#: Same format as ``fact_claims._UNIT_TABLE``: ``dimension factor=pattern ; factor=pattern``.
UNIT_TABLE = r"""
length 10=zentimeter|cent[ií]metros?|centimetri|centimetro
length 1=mil[ií]metros?|millimetri|millimetro
length 1000=metros?|metri|metro
length 1000000=kil[oó]metros?|chilometri|chilometro
mass 1000=gramm|gramos?|grammi|grammo
mass 1000000=kilogramm|kilogramos?|chilogrammi|chilogrammo
volume 1000=litros?|litri|litro
volume 1=mil[ií]litros?|millilitri|millilitro
time 1=sekunden?|segundos?|secondi|secondo ; 60=minuten?|minutos?|minuti|minuto
time 3600=stunden?|std|horas?|ore|ora
time 86400=tagen?|tage|d[ií]as?|giorni|giorno ; 604800=wochen?|semanas?|settimane|settimana
months 1=monaten?|monate|meses|mesi|mese ; 12=jahren?|jahre|a[ñn]os?|anni|anno
celsius 1=grad(?: celsius)?|grados?(?: cent[ií]grados?| celsius)?|gradi(?: celsius)?
"""


def reading(language: str | None) -> str:
    """How numbers of copy in ``language`` are read: ``en``, :data:`DOT_THOUSANDS`, else ``fr``."""
    code = language_code(language)
    if code == "en":
        return "en"
    return DOT_THOUSANDS if code in DOT_THOUSANDS_LANGUAGES else "fr"


def dot_thousands(raw: str) -> str | None:
    """``1.500`` -> ``1500``, ``1.234.567`` -> ``1234567``; None when the dots are no thousands
    separators (``1.5``, ``2.25``)."""
    head, *groups = raw.split(".")
    if groups and 1 <= len(head) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups):
        return head + "".join(groups)
    return None
