from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch

from .base import SearchEngine


class ElasticsearchEngine(SearchEngine):
    """Elasticsearch 8.x/9.x through elasticsearch-py (which refuses to talk to OpenSearch)."""

    vendor = "Elasticsearch"
    unavailable_errors = (TransportConnectionError, ConnectionTimeout)
    request_errors = (ApiError,)

    def build_client(self, hosts: list[str], timeout: float) -> Elasticsearch:
        return Elasticsearch(hosts, request_timeout=timeout, max_retries=max(1, len(hosts)), retry_on_timeout=False)
