"""Seed the theme vocabulary: the Mission's action-plan domains and the levers that cut across them."""

from django.db import migrations

THEMES = [
    ("Built environment", "built-environment", "Buildings, renovation and urban planning."),
    ("Energy", "energy", "Renewable generation, heat, networks and efficiency."),
    ("Mobility and transport", "mobility-and-transport", "Public transport, cycling, walking and logistics."),
    ("Nature-based solutions", "nature-based-solutions", "Green and blue infrastructure, urban greening."),
    ("Waste and circular economy", "waste-and-circular-economy", "Waste prevention, reuse and circularity."),
    ("Governance and policy", "governance-and-policy", "Climate governance, regulation and city contracts."),
    (
        "Citizen engagement and social innovation",
        "citizen-engagement-and-social-innovation",
        "Participation, co-creation and a just transition.",
    ),
    ("Finance and funding", "finance-and-funding", "Climate finance, investment plans and funding."),
    ("Data and digital", "data-and-digital", "Monitoring, data platforms and digital twins."),
    ("Capacity building", "capacity-building", "Skills, staff and organisational learning."),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("kb", "Theme")
    for name, slug, description in THEMES:
        Theme.objects.update_or_create(slug=slug, defaults={"name": name, "description": description})


def unseed(apps, schema_editor):
    apps.get_model("kb", "Theme").objects.filter(slug__in=[slug for _n, slug, _d in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
