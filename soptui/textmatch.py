"""Text folding and word similarity shared by the registry search and the case
search: one rule for what a typo is, wherever a clerk types."""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher

# Below this a word is not counted as a match (difflib ratio; "akuntasi" ->
# "akuntansi" is 0.94, "pemasaran" -> "pemasukan" 0.67).
MIN_WORD_SIMILARITY = 0.75


def fold(text: str) -> str:
    """Lower case without accents ("Pelatihan Ekspor Kopi Gayo" -> "pelatihan ...")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def word_similarity(query: str, term: str) -> float:
    """1.0 for a prefix ("kop" -> "koperasi"); else difflib's ratio for words of
    four letters or more when it reaches MIN_WORD_SIMILARITY; else 0."""
    if term.startswith(query):
        return 1.0
    if len(query) < 4:
        return 0.0
    ratio = SequenceMatcher(None, query, term, autojunk=False).ratio()
    return ratio if ratio >= MIN_WORD_SIMILARITY else 0.0
