"""What the admin's page forms add to Wagtail's: the network's languages, a Markdown preview, choosers that start
at the editor's city.

Imported by ``kb.models`` (for its fields and panels), so the models are imported here only where they are used.
"""

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import PageChooserPanel
from wagtail.admin.widgets import AdminPageChooser


class MarkdownTextarea(forms.Textarea):
    """A text area for Markdown with a syntax hint and a Preview button.

    The preview comes from the server (``kb_markdown_preview``, through ``kb.markdown``), so authors see the
    renderer and the sanitising that readers get; its script is a static file because the admin is meant to keep
    to the site's CSP (script-src 'self'), which allows no inline script.
    """

    template_name = "kb/widgets/markdown_textarea.html"

    class Media:
        js = ["kb/js/markdown-preview.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["preview_url"] = reverse("kb_markdown_preview")
        return context


class CityFirstPageChooser(AdminPageChooser):
    """A page chooser whose modal opens through ``kb_choose_page``, which starts a city editor at their city."""

    chooser_modal_url_name = "kb_choose_page"


class CityFirstPageChooserPanel(PageChooserPanel):
    def get_form_options(self):
        options = super().get_form_options()
        options.setdefault("widgets", {})[self.field_name] = CityFirstPageChooser(
            target_models=self.page_type, can_choose_root=self.can_choose_root
        )
        return options


def language_choices() -> list:
    """Every content language, those of the network (its cities' and the interface's) in a first group."""
    from kb.models import CONTENT_LANGUAGES, CityPage

    network = {code for code, _name in settings.LANGUAGES} | set(CityPage.objects.values_list("language", flat=True))
    named = sorted(((code, gettext(name)) for code, name in CONTENT_LANGUAGES), key=lambda choice: choice[1])
    return [
        (_("Languages of the network"), [choice for choice in named if choice[0] in network]),
        (_("Other languages"), [choice for choice in named if choice[0] not in network]),
    ]


class KnowledgePageForm(WagtailAdminPageForm):
    """The form of every page with a language: a new page under a city is written in the city's language."""

    def __init__(self, *args, **kwargs):
        from kb.models import CityPage

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        parent = self.parent_page.specific if self.parent_page else None
        if isinstance(parent, CityPage) and not self.instance.pk:
            self.initial["language"] = parent.language

    def clean(self):
        cleaned_data = super().clean()
        # The model's checks (LessonPage.clean: at least one theme) read the page's many-to-many values, which a
        # form assigns only when it saves, after them; the assignment is in memory until the page is saved.
        self.save_cluster_m2m()
        _refuse_unpublished_sources(self.formsets)
        return cleaned_data


class ActionPlanPageForm(KnowledgePageForm):
    """An Action Plan's form also checks that each action names indicators the plan has (or will have once saved)."""

    def clean(self):
        cleaned_data = super().clean()
        indicators, actions = self.formsets.get("indicators"), self.formsets.get("actions")
        if indicators is None or actions is None:
            return cleaned_data
        known = {
            form.cleaned_data.get("identifier")
            for form in indicators.forms
            if form.is_valid() and not form.cleaned_data.get("DELETE")
        }
        for form in actions.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            named = [key.strip() for key in form.cleaned_data.get("indicator_ids", "").split(",") if key.strip()]
            unknown = [key for key in named if key not in known]
            if unknown:
                form.add_error(
                    "indicator_ids",
                    _("No indicator of this plan has the identifier %(identifier)s.") % {"identifier": unknown[0]},
                )
        return cleaned_data


def _refuse_unpublished_sources(formsets: dict) -> None:
    """What a lesson or an action was adapted from must be published, for readers to follow the link.

    Checked here, not by the model: an import creates every page of its batch before it publishes any, so a source
    in the same batch is not published yet when the adopting page is validated.
    """
    from kb.models import pages

    for name, formset in formsets.items():
        for form in formset.forms:
            if name == "adaptations" and form.is_valid() and not form.cleaned_data.get("DELETE"):
                source = form.cleaned_data.get("source_page")
                if source and not pages().published().filter(pk=source.pk).exists():
                    form.add_error("source_page", _("Choose a published page: readers must be able to follow it."))
            _refuse_unpublished_sources(getattr(form, "formsets", {}))
