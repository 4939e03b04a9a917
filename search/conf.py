"""Network search settings, read from ``settings.SEARCH`` each time so that tests can override them."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class SearchSettings:
    url: str  # one URL, or several separated by commas: the hosts of a cluster
    engine: str
    index_prefix: str
    timeout: float
    index_inline: bool
    max_text_chars: int
    bulk_max_bytes: int
    shards: int
    replicas: int
    refresh_interval: str

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
        max_text_chars=int(values["MAX_TEXT_CHARS"]),
        bulk_max_bytes=int(values["BULK_MAX_BYTES"]),
        shards=int(values["SHARDS"]),
        replicas=int(values["REPLICAS"]),
        refresh_interval=str(values["REFRESH_INTERVAL"]),
    )
