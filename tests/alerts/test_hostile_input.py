"""Hostile input to the member pages: made-up unsubscribe tokens and saved searches never give a server error."""

import random

from alerts.models import Follow
from tests.site.test_hostile_requests import RAW, hostile_query


def test_made_up_tokens_and_searches_get_clear_answers(client, member, structure):
    rng = random.Random(7)
    client.force_login(member.user)
    statuses = []
    for _ in range(150):
        token = "".join(rng.choice(RAW + ["eyJtIjox", ":", "AAAA", "%2F", "..", "x" * 300]) for _ in range(4))
        statuses.append(client.post(f"/alerts/unsubscribe/{token}/").status_code)
        search = f"q={hostile_query(rng)}&{rng.choice(['theme', 'cohort', 'year', 'bogus'])}={rng.choice(RAW)}"
        statuses.append(client.post("/alerts/follow/", {"search": search}).status_code)
    assert [status for status in statuses if status >= 500] == []
    assert set(statuses) <= {302, 400, 404} and 400 in statuses  # followed, refused, or no such address
    assert Follow.objects.filter(member=member).count() <= 100
