from django import template
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from kb.markdown import render_markdown
from kb.models import ActionStatus

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """Render an author's Markdown as sanitised HTML."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 — sanitised by nh3


@register.filter
def euros(amount) -> str:
    """``1234567.5`` → ``€1,234,568``: budgets are read at a glance, not to the cent."""
    if amount is None or amount == "":
        return ""
    return f"€{round(amount):,}"


@register.filter
def page_type_label(page) -> str:
    return capfirst(page.specific_class._meta.verbose_name) if page.specific_class else ""


@register.filter
def action_status(value: str) -> str:
    return dict(ActionStatus.choices).get(value, value)
