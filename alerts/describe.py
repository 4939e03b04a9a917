"""What a follow is called, in the active language: in digests, on the alerts page and in confirmations."""

from kb.themes import theme_name
from search.facets import describe_search


def follow_label(follow) -> str:
    if follow.city_id:
        return follow.city.title
    if follow.theme_id:
        return theme_name(follow.theme.name)
    return describe_search(follow.query, follow.filters)
