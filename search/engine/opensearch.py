from opensearchpy import OpenSearch
from opensearchpy import exceptions as errors

from .base import SearchEngine


class OpenSearchEngine(SearchEngine):
    """OpenSearch 2.x/3.x through opensearch-py."""

    vendor = "OpenSearch"
    unavailable_errors = (errors.ConnectionError, errors.ConnectionTimeout)
    request_errors = (errors.TransportError,)

    def build_client(self, url: str, timeout: float) -> OpenSearch:
        # Credentials in the URL (https://user:password@host) are used as HTTP basic auth by the client.
        return OpenSearch([url], timeout=timeout, max_retries=1, retry_on_timeout=False)
