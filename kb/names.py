"""What a city may be called: readable names in one script, none that pass for another city's.

A name is text a reader sees and a slug the site files pages under, so two things are refused: names that are
not names (paths, markup, digits, control characters) and look-alikes — ``Sоria`` with a Cyrillic ``о`` reads
as Soria but would silently become a second city. Look-alikes are found with the Unicode confusables data of
``confusable-homoglyphs``.
"""

import re
import unicodedata
from collections.abc import Iterable

from confusable_homoglyphs import confusables
from django.utils.translation import gettext as _

MAX_CITY_NAME_LENGTH = 100
# Letters of any script, spaces, and the punctuation of real names: Saint-Étienne, 's-Hertogenbosch, St. Gallen.
_NAME = re.compile(r"[^\W\d_][\w\s.'’-]*|['’][^\W\d_][\w\s.'’-]*")
_NOT_IN_NAMES = re.compile(r"[\d_]")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be any city's name, or ``None`` when it can (no database needed)."""
    if len(name) > MAX_CITY_NAME_LENGTH:
        return _("is longer than %(limit)d characters") % {"limit": MAX_CITY_NAME_LENGTH}
    if not _NAME.fullmatch(name) or _NOT_IN_NAMES.search(name) or ".." in name:
        return _("'%(name)s' is not a city name (letters, spaces, hyphens, apostrophes and full stops only)") % {
            "name": name
        }
    if confusables.is_mixed_script(name, allowed_aliases=["COMMON"]):
        scripts = sorted({confusables.alias(char) for char in name if confusables.alias(char) != "COMMON"})
        return _("'%(name)s' mixes letters of several scripts (%(scripts)s)") % {
            "name": name,
            "scripts": ", ".join(script.title() for script in scripts),
        }
    return None


def skeleton(name: str) -> str:
    """What a name looks like: accents dropped, case folded, each character replaced by its Latin look-alike."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))
    return "".join(_latin_lookalike(char) for char in folded if not char.isspace() and char not in "-'’.")


def _latin_lookalike(char: str) -> str:
    if char.isascii():
        return char
    found = confusables.is_confusable(char, preferred_aliases=["LATIN"], greedy=True) or []
    for entry in found:
        for homoglyph in entry["homoglyphs"]:
            if homoglyph["c"].isascii():
                return homoglyph["c"].lower()
    return char


def city_name_problem(name: str, slug: str, cities: Iterable) -> str | None:
    """Why the city filed under ``slug`` cannot be called ``name`` among ``cities``, or ``None``.

    Another city whose name looks the same (after folding accents, case and look-alike letters) would make
    two entries for what readers take to be one city.
    """
    if problem := name_problem(name):
        return problem
    shape = skeleton(name)
    twin = next((city for city in cities if city.slug != slug and skeleton(city.title) == shape), None)
    if twin is not None:
        return _("'%(name)s' looks like the existing city %(city)s; use that city or a distinct name") % {
            "name": name,
            "city": twin.label,
        }
    return None
