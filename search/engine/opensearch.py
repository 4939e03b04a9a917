from opensearchpy import OpenSearch
from opensearchpy import exceptions as errors

from .base import SearchEngine


class OpenSearchEngine(SearchEngine):
    """OpenSearch 2.x/3.x through opensearch-py."""

    vendor = "OpenSearch"
    unavailable_errors = (errors.ConnectionError, errors.ConnectionTimeout)
    request_errors = (errors.TransportError,)

    def build_client(self, hosts: list[str], timeout: float) -> OpenSearch:
        # Credentials in the URL (https://user:password@host) are used as HTTP basic auth by the client. A
        # connection error is retried once per other host; a timeout is not (the request may be running).
        return OpenSearch(hosts, timeout=timeout, max_retries=max(1, len(hosts)), retry_on_timeout=False)
