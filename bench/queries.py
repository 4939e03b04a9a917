"""The fixed query mix every benchmark runs: free text, phrases, 0/1/3 filters, newest first, a deep page."""

QUERIES = [
    {"name": "free text", "q": "heat pump"},
    {"name": "free text", "q": "building renovation"},
    {"name": "free text", "q": "how can residents renovate their buildings"},
    {"name": "free text", "q": "Fernwärme"},
    {"name": "free text", "q": "rehabilitación energética"},
    {"name": "phrase", "q": '"district heating"'},
    {"name": "phrase", "q": '"public transport"'},
    {"name": "1 filter", "q": "cycling", "language": ["de"]},
    {"name": "1 filter", "q": "green roofs", "type": ["lesson"]},
    {"name": "3 filters", "q": "energy", "type": ["lesson"], "language": ["en"], "theme": ["energy"]},
    {
        "name": "3 filters",
        "q": "citizen participation",
        "type": ["lesson", "action_plan"],
        "language": ["en", "es"],
        "theme": ["citizen-engagement-and-social-innovation"],
    },
    {"name": "newest", "q": "energy", "sort": "newest"},
    {"name": "page 5", "q": "renovation", "page": 5},
]


def request_args(query: dict) -> tuple[str, dict]:
    """``(q, keyword arguments of build_request)`` of one query of the mix."""
    options = {key: value for key, value in query.items() if key not in ("name", "q")}
    return query["q"], options


def api_params(query: dict) -> list[tuple[str, str]]:
    params = [("q", query["q"])]
    for key, value in query.items():
        if key in ("name", "q"):
            continue
        params += [(key, str(item)) for item in (value if isinstance(value, list) else [value])]
    return params
