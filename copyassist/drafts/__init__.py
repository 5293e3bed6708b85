"""Drafts written before the listings: market studies with their marketing plan (``study``,
laid out by ``document``) and buyer personas drafted from a brief (``persona``)."""
