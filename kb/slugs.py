import re

from django.utils.text import slugify

# Letters that Unicode does not decompose into a base letter, which slugify would otherwise drop (Łódź → odz).
_TRANSLITERATION = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "H",
    }
)


_TO_TRANSLITERATE = re.compile("[" + "".join(map(chr, _TRANSLITERATION)) + "]")


def transliterate(text: str) -> str:
    """Letters without a Unicode decomposition spelled in Latin: ``Łódź`` → ``Lódź``, ``Straße`` → ``Strasse``."""
    # str.translate walks every character; most texts have none of these letters, which a regex finds at C speed.
    return text.translate(_TRANSLITERATION) if _TO_TRANSLITERATE.search(text) else text


def slug_for(text: str) -> str:
    """The URL slug of a name or title: ``Łódź`` → ``lodz``, ``København`` → ``kobenhavn``."""
    return slugify(transliterate(text))
