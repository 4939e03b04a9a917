"""Network search settings, read from ``settings.SEARCH`` each time so that tests can override them."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class SearchSettings:
    url: str
    engine: str
    index_prefix: str
    timeout: float
    index_inline: bool

    @property
    def alias(self) -> str:
        return f"{self.index_prefix}knowledge"


def search_settings() -> SearchSettings:
    values = settings.SEARCH
    return SearchSettings(
        url=values["URL"],
        engine=values["ENGINE"],
        index_prefix=values["INDEX_PREFIX"],
        timeout=float(values["TIMEOUT"]),
        index_inline=bool(values["INDEX_INLINE"]),
    )
