"""Words and case styles of names: "Song Played", "song_played", "songPlayed"...

Letters are compared by Unicode case, so names in any script work: a letter with no
case (and a digit) fits both lower and upper positions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pulumi_taxonomy.plan.conventions import STYLES, CaseStyle

RUNS = re.compile(r"[^\W_]+")
"""Runs of letters and digits: everything else separates words."""
MINOR = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "via",
        "vs",
        "with",
    ]
)
"""Short words that title case leaves in lower case inside a name ("Added to Cart")."""


def _lower(char: str) -> bool:
    """Fits where lower case goes: lower case, a digit, or a letter that has no lower case."""
    return char.isalnum() and (not char.isupper() or char.lower() == char)


def _upper(char: str) -> bool:
    return char.isalnum() and (not char.islower() or char.upper() == char)


def _humps(run: str) -> Iterable[str]:
    """ "songID" -> song, ID; "URLOpened" -> URL, Opened; "Top10Songs" -> Top10, Songs."""
    start = 0
    for i in range(1, len(run)):
        prev, char = run[i - 1], run[i]
        next_lower = i + 1 < len(run) and run[i + 1].islower()
        if char.isupper() and (not prev.isupper() or next_lower):
            yield run[start:i]
            start = i
    yield run[start:]


def words(name: str) -> list[str]:
    """The words of a name, whatever its style."""
    return [word for run in RUNS.findall(_nfc(name)) for word in _humps(run)]


def _nfc(name: str) -> str:
    # "é" typed as "e" + a combining accent is one letter, as the composed "é" is.
    return unicodedata.normalize("NFC", name)


def _acronym(word: str) -> bool:
    return len(word) > 1 and all(_upper(c) for c in word) and any(c.isupper() for c in word)


def _capitalized(word: str) -> bool:
    return bool(word) and _upper(word[0]) and all(_lower(c) for c in word[1:])


def _lowercase(word: str) -> bool:
    return bool(word) and all(_lower(c) for c in word)


def matches(style: CaseStyle, name: str) -> bool:
    """Whether `name` is written in `style`."""
    name = _nfc(name)
    if style in ("title", "sentence"):
        parts = name.split(" ")
        if not all(parts) or not (_capitalized(parts[0]) or _acronym(parts[0])):
            return False
        if style == "title":
            return all(_capitalized(p) or _acronym(p) or p in MINOR for p in parts[1:])
        return all(_lowercase(p) or _acronym(p) for p in parts[1:])
    if style in ("snake", "kebab"):
        return all(_lowercase(p) for p in name.split("_" if style == "snake" else "-"))
    if not name.isalnum():
        return False
    return _lower(name[0]) if style == "camel" else _upper(name[0])


def _clean(text: str) -> str:
    # Case mapping can add marks that are not letters ("İ".lower() is "i" + a dot above).
    return "".join(c for c in text if c.isalnum())


def _capitalize(word: str) -> str:
    return word if _acronym(word) else _clean(word[:1].title()) + _clean(word[1:].lower())


def to_style(style: CaseStyle, name: str) -> str | None:
    """`name` written in `style`, or None when it has no letters or digits to keep."""
    parts = [p for p in words(name) if _clean(p.lower())]
    if not parts:
        return None
    lowered = [_clean(p.lower()) for p in parts]
    if style == "snake":
        return "_".join(lowered)
    if style == "kebab":
        return "-".join(lowered)
    if style == "title":
        head, *rest = parts
        return " ".join(
            [_capitalize(head)] + [w.lower() if w.lower() in MINOR else _capitalize(w) for w in rest]
        )
    if style == "sentence":
        head, *rest = parts
        return " ".join([_capitalize(head)] + [w if _acronym(w) else _clean(w.lower()) for w in rest])
    if style == "camel":
        return lowered[0] + "".join(_capitalize(w) for w in parts[1:])
    return "".join(_capitalize(w) for w in parts)


def dominant(names: Iterable[str]) -> CaseStyle | None:
    """The style most of `names` follow (ties go to the earlier style in STYLES)."""
    counts = dict.fromkeys(STYLES, 0)
    for name in names:
        for style in STYLES:
            counts[style] += matches(style, name)
    best = max(STYLES, key=lambda style: counts[style])
    return best if counts[best] else None


def normalized(name: str) -> str:
    """The name without case, spaces, `_`, `-`, accents or invisible characters (a
    zero-width space looks like nothing): names equal here are easily confused."""
    # NFKD splits "é" into "e" and its accent, and full-width or ligature letters into
    # plain ones; the accents (Mn, Me) and the invisible format characters (Cf) go.
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Me", "Cf"))
    return re.sub(r"[\s_\-]+", "", kept.casefold())
