"""English dates as the network writes them (20 May 2025), not Django's US default (May 20, 2025)."""

DATE_FORMAT = "j F Y"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "j M Y"
