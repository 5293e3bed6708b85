"""Ordinary good listings, French and English, for the precision tests of the quality checks:
none of them should trip a rule meant for broken copy."""

from __future__ import annotations

from typing import Any

GOOD_LISTINGS: list[dict[str, Any]] = [
    {
        "language": "fr",
        "brand": "Kairos",
        "product": {
            "title": "Montre connectée Kairos S2",
            "brand": "Kairos",
            "price": "149.90",
            "currency": "EUR",
            "attributes": {"étanchéité": "5 ATM", "écran": "AMOLED 1,4 pouce", "autonomie": "10 jours"},
        },
        "keywords": ["montre connectée", "montre GPS", "montre étanche"],
        "title": "Kairos S2 montre connectée GPS, écran AMOLED 1,4 pouce, étanche 5 ATM",
        "bullets": [
            "Écran AMOLED 1,4 pouce lisible en plein soleil",
            "GPS intégré pour suivre vos sorties sans téléphone",
            "Étanche 5 ATM : natation en piscine et douche sans souci",
            "Jusqu'à 10 jours d'autonomie avec une seule charge",
        ],
        "headline": "La montre qui suit votre rythme",
        "description": (
            "La Kairos S2 accompagne vos journées comme vos entraînements. Son écran AMOLED de "
            "1,4 pouce reste lisible en plein soleil, et son GPS intégré enregistre vos parcours "
            "sans téléphone.\n\nÉtanche 5 ATM, elle vous suit à la piscine. Sa batterie tient "
            "jusqu'à 10 jours : vous oubliez le chargeur le temps d'un week-end prolongé."
        ),
        "call_to_action": "Choisissez la Kairos S2 et suivez chaque sortie",
        "seo_title": "Montre connectée GPS Kairos S2 étanche 5 ATM",
        "meta_description": (
            "Kairos S2 : montre connectée avec GPS intégré, écran AMOLED 1,4 pouce, étanche 5 ATM "
            "et 10 jours d'autonomie."
        ),
        "faq": [
            ("Peut-on nager avec la Kairos S2 ?", "Oui, elle est étanche 5 ATM et convient à la piscine."),
            ("Combien de temps tient la batterie ?", "Jusqu'à 10 jours avec une seule charge."),
        ],
    },
    {
        "language": "en",
        "brand": "Sonora",
        "product": {
            "title": "Sonora Air wireless earbuds",
            "brand": "Sonora",
            "attributes": {"noise cancelling": "active", "charging case": "USB-C", "battery": "30 hours"},
        },
        "keywords": ["wireless earbuds", "noise cancelling earbuds"],
        "title": "Sonora Air Wireless Earbuds with Active Noise Cancelling and USB-C Charging Case",
        "bullets": [
            "Active noise cancelling keeps the train and the office out",
            "Up to 30 hours of listening with the charging case",
            "USB-C charging case that fits in a jeans pocket",
        ],
        "headline": "Your music, without the noise",
        "description": (
            "<p>Sonora Air earbuds shut out the world with active noise cancelling, so your "
            "commute sounds like your living room.</p><p>The USB-C charging case adds up to "
            "30 hours of listening, and the earbuds sit light in your ears all day.</p>"
        ),
        "call_to_action": "Put them on and hear the difference",
        "seo_title": "Sonora Air Noise Cancelling Wireless Earbuds",
        "meta_description": (
            "Sonora Air wireless earbuds with active noise cancelling, a USB-C charging case and "
            "up to 30 hours of listening."
        ),
        "faq": [
            ("Can I charge the case with my phone cable?", "Yes, the case charges over USB-C."),
            ("How long does the battery last?", "Up to 30 hours of listening with the charging case."),
        ],
    },
    {
        "language": "en",
        "brand": "Solis",
        "product": {
            "title": "Solis Sunscreen SPF 50 Face Fluid",
            "brand": "Solis",
            "attributes": {"spf": "50", "volume": "50 ml", "texture": "fluid"},
        },
        "keywords": ["face sunscreen", "SPF 50 fluid"],
        "title": "Solis Sunscreen SPF 50 Face Fluid, 50 ml",
        "bullets": [
            "SPF 50 protection for the face, every day",
            "Light fluid texture that leaves no white cast",
            "50 ml bottle that fits in a beach bag",
        ],
        "headline": "High protection, light on the skin",
        "description": (
            "Solis Face Fluid gives your face SPF 50 protection in a texture that feels like "
            "nothing at all. It spreads in seconds, leaves no white cast and sits well under "
            "make-up. The 50 ml bottle slips into any bag."
        ),
        "call_to_action": "Pack it for your next day outside",
        "seo_title": "Solis SPF 50 Face Sunscreen Fluid 50 ml",
        "meta_description": (
            "Solis SPF 50 face fluid: high protection, a light texture and no white cast, in a 50 ml bottle."
        ),
        "faq": [("Can I wear it under make-up?", "Yes, the fluid texture sits well under make-up.")],
    },
    {
        "language": "fr",
        "brand": "Nordlys",
        "product": {
            "title": "Sac à dos de randonnée Nordlys 15 L",
            "brand": "Nordlys",
            "attributes": {"volume": "15 L", "couleur": "vert forêt", "poids": "450 g"},
        },
        "keywords": ["sac à dos randonnée", "sac 15 L"],
        "title": "Nordlys sac à dos de randonnée 15 L vert forêt",
        "bullets": [
            "Volume de 15 L pour une journée de marche",
            "Seulement 450 g sur les épaules",
            "Coloris vert forêt discret en pleine nature",
        ],
        "headline": "Léger pour la journée, prêt pour la montagne",
        "description": (
            "Le sac à dos Nordlys de 15 L emporte l'essentiel d'une journée de randonnée : "
            "gourde, coupe-vent et pique-nique. Avec ses 450 g, il se fait oublier sur les "
            "épaules, même après plusieurs heures de marche."
        ),
        "call_to_action": "Préparez votre prochaine sortie avec Nordlys",
        "seo_title": "Sac à dos de randonnée 15 L léger | Nordlys",
        "meta_description": (
            "Sac à dos de randonnée Nordlys 15 L : 450 g, coloris vert forêt, pour vos sorties à la journée."
        ),
        "faq": [("Quel est le poids du sac ?", "Le sac pèse 450 g à vide.")],
    },
    {
        "language": "fr",
        "brand": "Doudou & Co",
        "product": {
            "title": "Gigoteuse bébé 2.5 TOG",
            "brand": "Doudou & Co",
            "attributes": {
                "indice": "2.5 TOG",
                "taille": "0-6 mois",
                "matière": "coton",
                "chambre": "18-20 °C",
            },
        },
        "keywords": ["gigoteuse bébé", "gigoteuse 2.5 TOG"],
        "title": "Doudou & Co gigoteuse bébé 2.5 TOG en coton, 0-6 mois",
        "bullets": [
            "Indice 2.5 TOG pour une chambre entre 18 et 20 °C",
            "Coton doux au contact de la peau",
            "Taille 0-6 mois",
        ],
        "headline": "Des nuits au chaud, sans couverture",
        "description": (
            "La gigoteuse Doudou & Co garde bébé au chaud toute la nuit, sans couverture qui "
            "glisse. Son indice 2.5 TOG convient à une chambre entre 18 et 20 °C. Le coton reste "
            "doux, lavage après lavage."
        ),
        "call_to_action": "Offrez-lui des nuits douces",
        "seo_title": "Gigoteuse bébé 2.5 TOG en coton 0-6 mois",
        "meta_description": (
            "Gigoteuse bébé Doudou & Co 2.5 TOG en coton, taille "
            "0-6 mois, pour une chambre entre 18 et 20 °C."
        ),
        "faq": [("Pour quelle température ?", "Pour une chambre entre 18 et 20 °C.")],
    },
    {
        "language": "en",
        "brand": "Ferro",
        "product": {
            "title": "Ferro chef's knife 20 cm",
            "brand": "Ferro",
            "attributes": {"blade": "20 cm", "steel": "stainless steel", "handle": "olive wood"},
        },
        "keywords": ["chef's knife", "kitchen knife"],
        "title": "Ferro Chef's Knife, 20 cm Stainless Steel Blade, Olive Wood Handle",
        "bullets": [
            "20 cm stainless steel blade for slicing, dicing and chopping",
            "Olive wood handle that sits warm in the hand",
            "Sharpen it on a whetstone and it keeps its edge",
        ],
        "headline": "One knife for most of the cooking",
        "description": (
            "The Ferro chef's knife handles most of the work on a chopping board. Its 20 cm "
            "stainless steel blade slices tomatoes, dices onions and chops herbs. The olive "
            "wood handle gives a steady grip, and every handle has its own grain."
        ),
        "call_to_action": "Bring it into your kitchen",
        "seo_title": "Ferro 20 cm Chef's Knife with Olive Wood Handle",
        "meta_description": (
            "Ferro chef's knife: a 20 cm stainless steel blade and an olive wood handle for everyday cooking."
        ),
        "faq": [("Is it dishwasher safe?", "Wash it by hand to keep the wood handle in good shape.")],
    },
    {
        "language": "fr",
        "brand": "Moka",
        "product": {
            "title": "Cafetière italienne Moka 6 tasses",
            "brand": "Moka",
            "attributes": {"capacité": "6 tasses", "matière": "aluminium", "compatible": "gaz, électrique"},
        },
        "keywords": ["cafetière italienne", "cafetière 6 tasses"],
        "title": "Moka cafetière italienne 6 tasses en aluminium",
        "bullets": [
            "Prépare 6 tasses de café en quelques minutes",
            "Aluminium léger qui chauffe vite",
            "Pour plaques au gaz et électriques",
        ],
        "headline": "Le café comme en Italie",
        "description": (
            "<p>La cafetière Moka prépare 6 tasses d'un café corsé, comme en Italie.</p>"
            "<ul><li>Aluminium léger</li><li>Plaques au gaz et électriques</li></ul>"
        ),
        "call_to_action": "Préparez votre premier café dès ce matin",
        "seo_title": "Cafetière italienne 6 tasses en aluminium | Moka",
        "meta_description": (
            "Cafetière italienne Moka 6 tasses en aluminium, pour plaques au gaz et électriques."
        ),
        "faq": [
            ("Fonctionne-t-elle sur induction ?", "Non, elle convient aux plaques au gaz et électriques.")
        ],
    },
    {
        "language": "en",
        "brand": "Linea",
        "product": {
            "title": "Linea organic cotton T-shirt",
            "brand": "Linea",
            "attributes": {"material": "100% organic cotton", "fit": "regular", "colour": "navy"},
        },
        "keywords": ["cotton t-shirt", "navy t-shirt"],
        "title": "Linea Men's T-Shirt, Organic Cotton, Regular Fit, Navy",
        "bullets": [
            "100% organic cotton, soft from the first wear",
            "Regular fit with a crew neck",
            "Navy colour that goes with jeans and chinos",
        ],
        "headline": "The T-shirt you reach for first",
        "description": (
            "The Linea T-shirt is cut from 100% organic cotton in a regular fit. It keeps its "
            "shape wash after wash, and its navy colour goes with jeans, chinos and shorts alike."
        ),
        "call_to_action": "Add a navy Linea to your week",
        "seo_title": "Linea Organic Cotton T-Shirt, Regular Fit, Navy",
        "meta_description": (
            "Linea men's T-shirt in 100% organic cotton: a regular fit, a crew neck and a navy colour."
        ),
        "faq": [("Does it shrink?", "No, it keeps its shape wash after wash.")],
    },
]
