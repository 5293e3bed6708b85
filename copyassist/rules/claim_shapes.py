"""The shapes of the claims :mod:`copyassist.rules.claims` looks for, beyond its word lists.

A list finds the phrases someone thought of; a claim is a construction: a verb of cure or
prevention applied to a condition ("soulage les douleurs articulaires", "relieves joint pain"),
a superlative with an absolute yardstick ("the finest boots you will ever own", "la plus
légère du marché"), a generic environmental promise in any of its inflections ("respecte la
nature", "bilan carbone neutre"). Each shape is a regular expression written for folded text
(:func:`copyassist.rules.text.fold`: no case, no accents, one apostrophe), found with
:func:`copyassist.rules.text.find_folded` so a hit is reported as written.

What stays allowed, on purpose: a comparison with something named ("plus léger que le modèle
précédent", "lighter than our previous model") and a superlative within the seller's own range
("the lightest of our range", "le plus léger de notre gamme"): the seller's own catalogue proves
them. "vert" alone (the colour), "durable" alone (long-lasting) and "zéro déchet" (the name of
an approach: bulk, refills) are the environmental list's own exceptions and stay so.
"""

from __future__ import annotations

import re

from copyassist.rules.text import Hit, find_folded

_GAP = r"(?:[\s,'-]+[\w'-]+){0,4}?[\s,'-]+"  # up to four words between a verb and its object

# ------------------------------------------------------------------------------ health

_CONDITIONS_FR = (
    r"douleurs?|maux|mal de (?:dos|tete|ventre|gorge)|maladies?|infections?|inflammations?|arthrose|arthrite"
    r"|rhumatismes?|eczema|psoriasis|acne|chute des cheveux|calvitie|alopecie|migraines?|insomnies?"
    r"|anxiete|depression|rhumes?|grippes?|allergies?|asthme|diabete|cancers?|hypertension|cholesterol"
    r"|coliques?|mort subite|symptomes?|virus|bacteries|microbes|cystites?|otites?|mycoses?|verrues?"
    r"|pellicules|dermatites?|rosacee"
    r"|troubles (?:articulaires|digestifs|du sommeil)|articulations douloureuses|raideurs? articulaires?"
)
_CONDITIONS_EN = (
    r"pain|aches?|diseases?|illness(?:es)?|infections?|inflammation|arthritis|rheumatism|eczema|psoriasis"
    r"|acne|hair loss|thinning hair|baldness|alopecia|migraines?|headaches?|insomnia|anxiety|depression"
    r"|colds|the common cold|flu|allerg(?:y|ies)|asthma|diabetes"
    r"|cancers?|hypertension|high blood pressure|cholesterol"
    r"|dandruff|dermatitis|rosacea"
    r"|colic|sids|sudden infant death|symptoms?|viruses|bacteria|germs|joint stiffness|stiff joints"
)
_CURE_VERBS_FR = (
    r"previen\w*|preven(?:ir|ez|ant)|evit\w*|guer\w+|soign\w+|trait(?:e|ent|er|ant|ez)|soulag\w+"
    r"|attenu\w+|calm(?:e|ent|er|ant)|combat\w*"
    r"|lutt\w* contre|protege\w* (?:contre |de |des |du )?|elimin\w+|supprim\w+|reduit|reduis\w*"
    r"|diminu\w+|apais\w+|stopp?\w*|met fin a|vient a bout d"
)
_CURE_VERBS_EN = (
    r"prevent\w*|cur(?:e|es|ed|ing)|heal(?:s|ed|ing)?|treat(?:s|ed|ing)?|reliev\w+|eas(?:e|es|ing)"
    r"|fight\w*|combat\w*|protect\w* against|eliminat\w+|stop\w*|revers\w+|reduc\w+|soothes?|get rid of"
)
_IMMUNITY_FR = (
    r"(?:renforc|boost|stimul|soutien|soutient|soutenir|ameliore|optimis)\w*"
    + _GAP
    + r"(?:defenses?(?: naturelles| immunitaires)?|immunite|systeme immunitaire)"
)
_IMMUNITY_EN = (
    r"(?:boost|strengthen|support|stimulat|enhanc|improv)\w*"
    + _GAP
    + r"(?:immune system|immunity|immune defen[cs]es|natural defen[cs]es)|immun(?:e|ity) (?:booster|support)"
)
_ANTI = (
    r"anti[\s-]?(?:douleurs?|inflammatoires?|arthrose|rhumatismes?|chute|cancer|migraines?|infectieu\w*"
    r"|pain|inflammatory|hair[\s-]loss|ageing miracle)"
)
_REGROWTH = (
    r"regrow\w* (?:your |thinning |lost )?hair|hair regrowth|(?:fait )?repousser? (?:les |vos )?cheveux"
)
_PROVEN = (
    r"(?:cliniquement|medicalement|clinically|medically) "
    r"(?:prouve|teste|proven|tested)\w* (?:pour|contre|to)\b"
)

HEALTH = re.compile(
    rf"(?<!\w)(?:(?:{_CURE_VERBS_FR}){_GAP}?(?:les |la |le |l'|des |du |de |d')?(?:{_CONDITIONS_FR})"
    rf"|(?:{_CURE_VERBS_EN}){_GAP}?(?:{_CONDITIONS_EN})"
    rf"|{_IMMUNITY_FR}|{_IMMUNITY_EN}|{_ANTI}|{_REGROWTH}|{_PROVEN})(?!\w)"
)

# ------------------------------------------------------------------------------ superlatives

_YARDSTICK_EN = (
    r"on the market|ever(?: made| built)?|in the world|on earth|on the planet|of all(?: time)?"
    r"|money can buy|in (?:its|their) class|out there|in existence"
    r"|you(?:'ll| will)? (?:ever )?(?:find|own|buy|need|wear|try)"
)
_YARDSTICK_FR = (
    r"du marche|au monde|de tous(?: les temps)?|de toutes|qui soit|jamais (?:vu|concu|fabrique|cree)\w*"
    r"|de sa categorie|de la planete|sur terre|du moment|que vous (?:trouverez|possederez|porterez)"
)
_SUPERLATIVE_EN = (
    rf"(?:the|our|its|their|world'?s)\s+(?:very\s+)?(?:\w+iest|\w{{2,}}est|most\s+(?!of\b)\w+|finest|best)"
    rf"(?:[\s-]+[\w'-]+){{0,4}}?\s+(?:{_YARDSTICK_EN})"
    r"|world'?s\s+(?:first|only|leading|favou?rite|most\s+\w+|\w+est)"
    r"|number[\s-]one|n(?:o|°)\.?\s?1|unequall?ed|without (?:equal"
    r"|rival)|peerless|nothing (?:else )?(?:beats|compares)"
    r"|best[\s-]in[\s-]class|class[\s-]leading|beats (?:all|every|any) (?:other|competitor)\w*"
)
_SUPERLATIVE_FR = (
    rf"(?:meilleur|meilleure|meilleurs|meilleures)(?:[\s-]+[\w'-]+){{0,3}}?\s+(?:{_YARDSTICK_FR})"
    r"|(?:sans|a nul autre) (?:egal|egale|pareil|pareille|rival|concurrence|equivalent)"
    r"|hors pair|inegal(?:ee?s?|ables?)|imbattable\w*|rien ne (?:vaut"
    r"|bat|egale)|le top du top|ce qui se fait de mieux"
    r"|numero (?:1|un)|n°\s?1"
)
#: Words ending in -est that are no superlative.
_NOT_SUPERLATIVE = re.compile(
    r"(?<!\w)(?:the|our|its|their|world'?s)\s+(?:very\s+)?(?:interest|forest|test|rest|west|nest|chest|honest"
    r"|modest|request|harvest|contest|digest|quest|guest|vest"
    r"|crest|zest|pest|protest|conquest|manifest|latest)(?!\w)"
)
SUPERLATIVE = re.compile(rf"(?<!\w)(?:{_SUPERLATIVE_EN}|{_SUPERLATIVE_FR})(?!\w)")
#: What follows a superlative measured on the seller's own range, proved by the catalogue
#: (folded text, matched right after the superlative: "the lightest [jacket] of our range").
OWN_RANGE = re.compile(
    r"(?:[\s,-]+[\w'-]+){0,4}?\s+(?:(?:of|in) (?:our|this|the \w+) (?:range|collection|line|catalog(?:ue)?)"
    r"|(?:de|dans) (?:notre|nos|cette|la \w+) (?:gamme|collection|catalogue)s?)(?!\w)"
)

# ------------------------------------------------------------------------------ environmental (AGEC)

_NATURE = (
    r"(?:l'environnement|la planete|la nature|la terre|le climat|les oceans|les ecosystemes|la biodiversite)"
)
ENVIRONMENTAL = re.compile(
    r"(?<!\w)(?:"
    # the indicative and participles only: "respectez la nature" (advice to a hiker) is no claim
    rf"(?:respect(?:e|ent|ant|ueu\w+)|preserv(?:e|ent|ant)|proteg(?:e|ent|eant)|protection de"
    rf"|menag(?:e|ent|eant)|sauv(?:e|ent|ant)"
    rf"|aide\w* a sauver|prend soin)\s+(?:de |des |du |envers |pour )?{_NATURE}"
    rf"|(?:bon|bonne|bons|bonnes|doux|douce|douces|bienveillant\w*|meilleur\w*|sain\w*|ami|amie|amis|amies)"
    rf"\s+(?:pour|de|avec)\s+{_NATURE}"
    rf"|sans (?:impact|empreinte) (?:carbone|environnemental\w*|sur {_NATURE})"
    r"|(?:nature|planet|earth|eco|climate|environmentally)[\s-]friendly"
    r"|eco[\s-]?(?:responsable|logique|citoyen)\w*"
    r"|ecolos?|ecologiquement \w+"
    r"|(?:neutre|neutralite) (?:en |pour le )?(?:carbone|co2"
    r"|climat)|carbone? neutre|carbon[\s-]neutral|climate[\s-]neutral"
    r"|(?:bilan|empreinte|impact) (?:carbone |environnemental )?(?:neutre|nul|nulle|zero)"
    r"|zero (?:carbone|co2|emissions?|impact)|net[\s-]zero|zero emissions? nettes?|sans emissions? de co2"
    r"|neutre en emissions?|empreinte (?:ecologique|environnementale) (?:neutre|nulle|zero)"
    r"|en (?:accord|harmonie|paix) avec (?:la nature|la planete|l'environnement)"
    r"|(?:100 ?%|integralement|totalement|entierement) (?:compense\w*|ecolo\w*|vert\w*|durable\w*)"
    r"|compens\w+ (?:en )?carbone|emissions? (?:de co2 )?compensee\w*"
    r"|de (?:facon|maniere) (?:plus )?(?:durable|ecologique"
    r"|responsable)|durablement (?:produit|fabrique|concu)\w*"
    r"|(?:mode|consommation|choix|achat|geste|solution"
    r"|alternative|production|fabrication|emballage|packaging)"
    r"\s+(?:plus\s+)?(?:durable|verte?|ecologique|responsable)s?"
    r"|(?:cuisine|maison|planete|monde|vie|avenir|routine"
    r"|quotidien|salle de bain)\s+plus\s+(?:verte?|durable)s?"
    r"|biodegrad\w+|se degrade dans la nature"
    r")(?!\w)"
)

# ------------------------------------------------------------------------------ finding


def _without(hits: list[Hit], blocked: list[Hit]) -> list[Hit]:
    return [h for h in hits if not any(h.start < b.end and b.start < h.end for b in blocked)]


def health_shapes(text: str) -> list[Hit]:
    """A verb of cure, prevention or relief on a condition, an immunity claim, ``anti-douleur``."""
    return find_folded(HEALTH, text)


def superlative_shapes(text: str) -> list[Hit]:
    """A superlative with an absolute yardstick, "n°1", "sans égal"."""
    return _without(find_folded(SUPERLATIVE, text), find_folded(_NOT_SUPERLATIVE, text))


def environmental_shapes(text: str) -> list[Hit]:
    """A generic environmental or carbon-neutrality claim in any of its constructions."""
    return find_folded(ENVIRONMENTAL, text)
