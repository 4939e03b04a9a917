"""Theme names in the reader's language.

Themes are a vocabulary seeded by a data migration (``kb/migrations/0002_seed_themes.py``); their English names
are listed here for ``makemessages`` so that the interface shows them translated. A theme an editor adds later
keeps the name the editor gave it until the translations catch up.
"""

from django.utils.translation import gettext, gettext_noop

SEEDED_NAMES = [
    gettext_noop("Built environment"),
    gettext_noop("Energy"),
    gettext_noop("Mobility and transport"),
    gettext_noop("Nature-based solutions"),
    gettext_noop("Waste and circular economy"),
    gettext_noop("Governance and policy"),
    gettext_noop("Citizen engagement and social innovation"),
    gettext_noop("Finance and funding"),
    gettext_noop("Data and digital"),
    gettext_noop("Capacity building"),
]


def theme_name(name: str) -> str:
    """A theme's name in the active language (as stored, for names without a translation)."""
    return gettext(name) if name else name
