"""Cities like mine, on a small network where the most similar city is known by construction."""

import pytest

from kb.content_files.importer import import_paths
from kb.content_files.pages import find_city
from lineage.similar import WEIGHTS, similar_cities
from search.indexer import drain
from tests.content.test_import_export import write

pytestmark = pytest.mark.django_db

CITIES = {
    # name: (country, population, role, cohort, theme, lesson title, summary)
    "Alphaville": ("PT", 80_000, "twin", 3, "Waste and circular economy", "Less food waste in school canteens",
                   "Weighing leftovers in school canteens and cooking to order cut food waste by a third."),
    "Betatown": ("PT", 90_000, "twin", 3, "Waste and circular economy", "Hospital and school kitchens waste less food",
                 "Kitchens of schools and the hospital measure plate waste and compost what is left."),
    "Gammaburg": ("FI", 900_000, "pilot", 1, "Mobility and transport", "A new tram line across the city",
                  "Building a light rail line with the neighbourhoods along its route."),
}  # fmt: skip


@pytest.fixture
def network(tmp_path, structure):
    files = []
    for name, (country, population, role, cohort, theme, title, summary) in CITIES.items():
        slug = name.lower()
        files.append(
            write(
                tmp_path, f"cities/{slug}.md",
                f"---\ntype: city\ntitle: {name}\nlanguage: en\ncountry: {country}\npopulation: {population}\n"
                f"role: {role}\ncohort: {cohort}\n---\n{name}.\n",
            )
        )
        files.append(
            write(
                tmp_path, f"{slug}/lesson.md",
                f"---\ntype: lesson\ntitle: {title}\nlanguage: en\ncity: {name}\ncountry: {country}\n"
                f"date: 2026-01-01\nthemes: [{theme}]\nsummary: {summary}\n---\n{summary}\n",
            )
        )  # fmt: skip
    report = import_paths(files, publish=True)
    assert not report.errors, report.errors
    drain()  # the new documents' embeddings
    return structure


def test_the_most_similar_city_comes_first_with_its_reasons(network):
    alphaville = find_city(network, "Alphaville")
    matches = similar_cities(alphaville, limit=20)
    first = matches[0]
    assert first.city.title == "Betatown"
    assert "same country" in first.reasons and "same cohort (3)" in first.reasons
    assert any(reason.startswith("same size") for reason in first.reasons)
    assert "shared themes: Waste and circular economy" in first.reasons
    assert "similar challenges in what both cities wrote" in first.reasons
    assert first.closest[0] == "Hospital and school kitchens waste less food"
    ranked = [match.city.title for match in matches]
    assert ranked.index("Gammaburg") > ranked.index("Betatown")
    for match in matches:  # the score is the documented sum
        assert all(0.0 <= value <= 1.0 for value in match.parts.values())
        assert match.score == pytest.approx(sum(WEIGHTS[name] * value for name, value in match.parts.items()))


def test_the_city_page_and_the_api_show_the_same_ranking(client, network):
    alphaville = find_city(network, "Alphaville")
    html = client.get(alphaville.url).content.decode()
    assert "Cities like Alphaville" in html and "How the score is made" in html
    data = client.get("/api/cities/alphaville/similar", {"limit": 3}).json()
    assert [item["city"]["slug"] for item in data] == [m.city.slug for m in similar_cities(alphaville, limit=3)]
    assert data[0]["city"]["slug"] == "betatown" and "same country" in data[0]["reasons"]
    assert client.get("/api/cities/atlantis/similar").status_code == 404
    assert client.get("/api/cities/alphaville/similar", {"limit": 500}).status_code == 400


def test_programme_staff_get_pilot_cities_and_lessons_for_a_city_or_a_challenge(client, editors, network):
    url = "/admin/matchmaking/"
    client.force_login(editors["cologne"])  # a city editor: not programme staff
    assert client.get(url).status_code in (302, 403)
    client.force_login(editors["network"])
    by_city = client.get(url, {"city": "alphaville"}).content.decode()
    assert "Pilot Cities to pair with" in by_city and "Gammaburg" in by_city  # the one Pilot City it could learn from
    assert "Hospital and school kitchens waste less food" in by_city  # Betatown's lesson, closest to what it wrote
    by_words = client.get(url, {"challenge": "desperdicio de comida en los comedores escolares"}).content.decode()
    lessons = by_words.split("Lessons to read first")[1]
    canteens = lessons.index("Less food waste in school canteens")  # a Spanish challenge finds English lessons
    assert canteens < lessons.find("A new tram line across the city") or "A new tram line" not in lessons
    assert "Hospital and school kitchens waste less food" in lessons
    assert client.get(url, {"city": "atlantis"}).status_code == 200
    assert client.get(url, {"challenge": "x" * 5000}).status_code == 200
