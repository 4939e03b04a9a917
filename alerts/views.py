"""Following, the "my alerts" page, one's own data, and unsubscribing from an email without signing in."""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kb.models import CityPage, Theme
from search.query import InvalidSearch

from .describe import follow_label
from .links import read_unsubscribe_token
from .models import Follow, Frequency, Member, saved_search


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["frequency", "language"]
        widgets = {"frequency": forms.RadioSelect}


def _member(request) -> Member:
    return Member.of(request.user, get_language())


@login_required
def my_alerts(request):
    member = _member(request)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your email settings are saved."))
        return redirect("alerts:mine")
    follows = list(member.follows.select_related("city", "theme"))
    return render(
        request,
        "alerts/my_alerts.html",
        {
            "member": member,
            "form": form,
            "follows": [(follow, follow_label(follow), _follow_url(follow)) for follow in follows],
            "feed_url": reverse("feed_search"),
            "editor": _is_editor(request.user),
        },
    )


@require_POST
@login_required
def follow(request):
    """Follow what the form names: ``city`` (a slug), ``theme`` (a slug) or ``search`` (a search's query string)."""
    member = _member(request)
    back = _next(request)
    if member.follows.count() >= settings.ALERTS["MAX_FOLLOWS"]:
        messages.error(request, _("You follow %(count)d things, the most there can be; stop following some first.")
                       % {"count": settings.ALERTS["MAX_FOLLOWS"]})  # fmt: skip
        return redirect(back)
    try:
        values = _follow_values(request.POST)
    except InvalidSearch as error:
        return render(request, "alerts/follow_error.html", {"message": error.message}, status=400)
    same = {name: value for name, value in values.items() if name in ("city", "theme", "search_key")}
    existing = member.follows.filter(**same).first()
    instance = existing or Follow.objects.create(member=member, **values)
    label = follow_label(instance)
    if existing:
        messages.info(request, _("You already follow %(what)s.") % {"what": label})
    else:
        messages.success(request, _("You now follow %(what)s. New items come in your %(frequency)s digest.")
                         % {"what": label, "frequency": member.get_frequency_display().lower()})  # fmt: skip
    return redirect(back)


def _follow_values(data) -> dict:
    if slug := data.get("city"):
        return {"city": get_object_or_404(CityPage.objects.published(), slug=slug[:255])}
    if slug := data.get("theme"):
        return {"theme": get_object_or_404(Theme, slug=slug[:100])}
    if "search" in data:
        return saved_search(data["search"])
    raise InvalidSearch("follow", _("Say what to follow: a city, a theme or a search."))


@require_POST
@login_required
def unfollow(request, pk: int):
    follow = get_object_or_404(Follow, pk=pk, member__user=request.user)
    label = follow_label(follow)
    follow.delete()
    messages.success(request, _("You no longer follow %(what)s.") % {"what": label})
    return redirect(_next(request))


@csrf_exempt  # the signed token is the proof, and mail programs post the one-click unsubscribe without a form
def unsubscribe(request, token: str):
    try:
        member_id, follow_id = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=400)
    member = Member.objects.filter(pk=member_id).first()
    follow = Follow.objects.filter(pk=follow_id, member_id=member_id).first() if follow_id else None
    gone = member is None or (follow_id is not None and follow is None)
    what = follow_label(follow) if follow else None
    if request.method == "POST" and not gone:
        if follow:
            follow.delete()
        else:
            member.frequency = Frequency.NEVER
            member.save(update_fields=["frequency"])
        return render(request, "alerts/unsubscribe.html", {"done": True, "what": what})
    return render(request, "alerts/unsubscribe.html", {"what": what, "gone": gone, "token": token})


@login_required
def export(request):
    """Everything the platform keeps about the signed-in member, as one JSON file (GDPR Art. 15 and 20)."""
    user = request.user
    member = _member(request)
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in user.emailaddress_set.all()
            ],
        },
        "settings": {"digest": member.frequency, "language": member.language},
        "follows": [
            {"kind": follow.kind, "name": follow_label(follow), "url": _follow_url(follow),
             "since": follow.created_at.isoformat()}
            for follow in member.follows.select_related("city", "theme")
        ],  # fmt: skip
        "digests": [
            {"period": digest.period, "frequency": digest.frequency, "status": digest.status,
             "sent_at": digest.sent_at.isoformat() if digest.sent_at else None,
             "pages": [item.page_id for item in digest.items.all()]}
            for digest in member.digests.prefetch_related("items").order_by("created_at")
        ],  # fmt: skip
    }
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
def delete_account(request):
    if _is_editor(request.user):
        # An editor's account is tied to the pages and reviews it signed; the network's editors remove it.
        return render(request, "alerts/delete_account.html", {"editor": True}, status=403)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        user = request.user
        logout(request)
        user.delete()  # the member, their follows and digests go with it (cascade)
        messages.success(request, _("Your account and everything stored about it are deleted."))
        return redirect("/")
    return render(request, "alerts/delete_account.html", {})


def privacy(request):
    return render(request, "alerts/privacy.html", {"controller": settings.ALERTS["PRIVACY_CONTACT"]})


def _is_editor(user) -> bool:
    return user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")


def _follow_url(follow) -> str:
    if follow.city_id:
        return follow.city.url
    if follow.theme_id:
        return reverse("theme", args=[follow.theme.slug])
    return f"/search/?{follow.search_key}"


def _next(request) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/alerts/"
