"""Wheels: what goes in (:mod:`.manifest`, pure) and how it is written (:mod:`.writer`)."""
