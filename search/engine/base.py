"""What the platform needs from a search engine, whichever client library sends the requests."""

import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit


class EngineError(Exception):
    """The engine answered with an error."""


class EngineUnavailable(EngineError):
    """The engine could not be reached (connection refused, timeout): callers fall back to the database."""


class QueryTooComplex(EngineError):
    """The engine refused a query for its size (Lucene's clause limit): the asker's to simplify, not a fallback."""


# Answers that say "not now" rather than "not this": overloaded (429), or a cluster without a leader or with
# its shards moving (503). Like an unreachable engine, they are nobody's fault and are retried.
BUSY_STATUSES = (429, 503)
# How the engines word a refusal for too many clauses (OpenSearch and Elasticsearch alike).
TOO_COMPLEX_MARKERS = ("too_many_clauses", "too_many_nested_clauses", "too many nested clauses", "maxClauseCount")


class SearchEngine:
    """Sends request bodies built with elasticsearch-dsl through a client library's own API.

    opensearch-py and elasticsearch-py expose the same method names with a ``body`` argument, so a subclass
    only builds its client and names the exceptions that mean "unreachable" and "bad request".
    """

    vendor = ""
    # After a connection failure, skip the engine for this long instead of paying a timeout per request.
    COOL_DOWN_SECONDS = 3.0

    def __init__(self, url: str, *, timeout: float):
        # A cluster is named by several URLs separated by commas; the client spreads requests over them and
        # retries a request on another host when one is down.
        self.hosts = [host.strip() for host in url.split(",") if host.strip()]
        self.timeout = timeout
        self.client = self.build_client(self.hosts, timeout)
        self._down_until = 0.0

    def build_client(self, hosts: list[str], timeout: float):
        raise NotImplementedError

    unavailable_errors: tuple[type[Exception], ...] = ()
    request_errors: tuple[type[Exception], ...] = ()

    def call(self, method: str, *args, **kwargs):
        """Call a client method, mapping the library's errors onto ours."""
        if time.monotonic() < self._down_until:
            raise EngineUnavailable(f"{self.vendor} at {self.safe_url} was unreachable moments ago")
        target = self.client
        for part in method.split("."):
            target = getattr(target, part)
        try:
            return target(*args, **kwargs)
        except self.unavailable_errors as error:
            self._down_until = time.monotonic() + self.COOL_DOWN_SECONDS
            raise EngineUnavailable(f"{self.vendor} at {self.safe_url} is unreachable: {error}") from error
        except self.request_errors as error:
            raise self.refusal(getattr(error, "status_code", None), error) from error

    def refusal(self, status: int | None, error) -> EngineError:
        """What an answer with this status and error means to callers: busy, too complex, or refused."""
        if status in BUSY_STATUSES:
            self._down_until = time.monotonic() + self.COOL_DOWN_SECONDS
            return EngineUnavailable(f"{self.vendor} at {self.safe_url} is busy or electing a leader: {error}")
        if any(marker in str(error) for marker in TOO_COMPLEX_MARKERS):
            return QueryTooComplex(f"{self.vendor} refused the query as too complex: {error}")
        return EngineError(f"{self.vendor} refused the request: {error}")

    @property
    def safe_url(self) -> str:
        """The URLs without credentials, for messages and logs."""
        return ",".join(_without_credentials(host) for host in self.hosts)

    # --- the operations the platform uses -------------------------------------------------------------

    def info(self) -> dict:
        return dict(self.call("info"))

    def search(self, index: str, body: dict) -> dict:
        return dict(self.call("search", index=index, body=body))

    def search_many(self, index: str, bodies: list[dict]) -> list[dict]:
        """Several searches in one request (``_msearch``), which the engine runs side by side; one that fails
        fails them all, as ``search`` would."""
        lines = [line for body in bodies for line in ({}, body)]
        replies = [dict(reply) for reply in self.call("msearch", index=index, body=lines)["responses"]]
        for reply in replies:
            if "error" in reply:
                raise self.refusal(reply.get("status"), reply["error"])
        return replies

    def get_many(self, index: str, ids: list[str], source: list[str]) -> list[dict]:
        """The documents of these ids that exist, read in real time (a search sees only refreshed ones)."""
        body = {"docs": [{"_id": document_id, "_source": source} for document_id in ids]}
        found = self.call("mget", index=index, body=body)
        return [document for document in found["docs"] if document.get("found")]

    def count(self, index: str) -> int:
        return self.call("count", index=index)["count"]

    def bulk(self, payload: bytes, *, refresh: bool | str = False) -> dict:
        """Send NDJSON operations, encoded by the caller (who splits requests by their size)."""
        return dict(self.call("bulk", body=payload, refresh=refresh))

    def create_index(self, name: str, body: dict) -> None:
        self.call("indices.create", index=name, body=body)

    def delete_index(self, name: str) -> None:
        self.call("indices.delete", index=name, ignore_unavailable=True)

    def refresh(self, index: str) -> None:
        self.call("indices.refresh", index=index)

    def indices_for_alias(self, alias: str) -> list[str]:
        if not self.call("indices.exists_alias", name=alias):
            return []
        return sorted(self.call("indices.get_alias", name=alias))

    def indices_matching(self, pattern: str) -> list[str]:
        return sorted(self.call("indices.get", index=pattern, expand_wildcards="open", allow_no_indices=True))

    def point_alias(self, alias: str, index: str) -> None:
        """Point ``alias`` at ``index`` alone, in one atomic step."""
        actions = [{"remove": {"index": old, "alias": alias}} for old in self.indices_for_alias(alias)]
        actions.append({"add": {"index": index, "alias": alias}})
        self.call("indices.update_aliases", body={"actions": actions})

    def scan(self, index: str, body: dict, *, page_size: int = 2000) -> Iterator[dict]:
        """Every hit of a query, in ``_doc`` order, through a scroll context."""
        body = {**body, "size": page_size, "sort": ["_doc"]}
        point = self.call("search", index=index, body=body, scroll="2m")
        scroll_id = point.get("_scroll_id")
        try:
            while point["hits"]["hits"]:
                yield from point["hits"]["hits"]
                point = self.call("scroll", body={"scroll_id": scroll_id, "scroll": "2m"})
                scroll_id = point.get("_scroll_id", scroll_id)
        finally:
            if scroll_id:
                try:
                    self.call("clear_scroll", body={"scroll_id": scroll_id})
                except EngineError:
                    pass  # The scroll expires on its own.


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
