"""Filters of cities and of the knowledge they publish, shared by the public listings and the Wagtail admin.

Values are slugs and codes, so that a filtered listing has a readable, shareable URL (``?theme=energy``).
"""

import django_filters
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from kb.models import CONTENT_LANGUAGES, CityPage, CityRole, Theme


def _countries_of_cities(request=None):
    codes = set(CityPage.objects.published().values_list("country", flat=True))
    return sorted(((code, name) for code, name in countries if code in codes), key=lambda choice: choice[1])


def _languages_in_use(model):
    def choices():
        used = set(model.objects.published().values_list("language", flat=True))
        return [(code, gettext(name)) for code, name in CONTENT_LANGUAGES if code in used]  # in the reader's language

    return choices


def _cohorts(request=None):
    cohorts = CityPage.objects.published().exclude(cohort=None).values_list("cohort", flat=True).distinct()
    return [(str(cohort), _("Cohort %(number)d") % {"number": cohort}) for cohort in sorted(cohorts)]


class CityFilters(django_filters.FilterSet):
    """Cities by country, role in the Mission and programme cohort."""

    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=_countries_of_cities, empty_label=_("All countries")
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=CityRole.choices, empty_label=_("All roles"))
    cohort = django_filters.ChoiceFilter(label=_("Cohort"), choices=_cohorts, empty_label=_("All cohorts"))

    class Meta:
        model = CityPage
        fields = []


class InCountryFilter(django_filters.ChoiceFilter):
    """Content published under the cities of one country."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.under_any(CityPage.objects.filter(country=value))


class ThemeChoiceFilter(django_filters.ModelChoiceFilter):
    """Themes offered by their names in the reader's language (``Theme.label``)."""

    @property
    def field(self):
        field = super().field
        field.label_from_instance = lambda theme: theme.label
        return field


class KnowledgeFilters(django_filters.FilterSet):
    """Lessons, Action Plans or visit reports by theme, the country of their city and their language.

    Subclassed per model (``for_model``), because the languages offered are those the model's pages use.
    """

    theme = ThemeChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label=_("All themes"),
        distinct=True,
    )
    country = InCountryFilter(label=_("Country"), choices=_countries_of_cities, empty_label=_("All countries"))

    @classmethod
    def for_model(cls, model, base=None):
        """A filter set of ``model``'s pages, on ``base`` as well (the admin adds Wagtail's page filters)."""
        language = django_filters.ChoiceFilter(
            label=_("Language"), choices=_languages_in_use(model), empty_label=_("All languages")
        )
        meta = type("Meta", (), {"model": model, "fields": []})
        bases = (cls, base) if base else (cls,)
        return type(f"{model.__name__}Filters", bases, {"language": language, "Meta": meta})
