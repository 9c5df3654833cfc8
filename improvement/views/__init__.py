"""The improvement register's pages (Check → Plan → Do, docs/method.md §8): system conditions
(views.conditions), contacts marked as their evidence (views.evidence) and system changes
(views.changes). The front office and team leaders read it; team leaders record and correct.
The pages with charts (a condition's evidence, "did it work?") are analysis's."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases import stale
from improvement import selectors
from improvement.models import Withdrawable

REFUSAL_CHANGES_SHOWN = 10


def noun(obj: Withdrawable) -> str:
    """“system change” or “system condition”."""
    return str(obj._meta.verbose_name)


@dataclass(frozen=True)
class Refusal:
    """Why a correction or withdrawal was not saved: someone else got there first."""

    change: Withdrawable  # as it now stands (a change or a condition)
    changes: list[selectors.HistoryLine]  # what they did, newest first
    button: str  # what the form's button says

    entry_template = "improvement/_refusal_entry.html"  # how cases/_refusal.html draws each

    @property
    def headline(self) -> str:
        return f"Someone else changed this {noun(self.change)} while you had this form open."

    @property
    def can_submit(self) -> bool:
        return not self.change.is_withdrawn

    @property
    def what_now(self) -> str:
        if self.change.is_withdrawn:
            return (
                "It has been withdrawn, so it can no longer be corrected or withdrawn. Your text "
                "is kept below: copy it if you need it."
            )
        return (
            f"Your text is kept below. Check it still fits the {noun(self.change)} as it is now, "
            f"then press “{self.button}” again."
        )


def register_action(
    request: HttpRequest,
    obj: Withdrawable,
    *,
    name: str,
    fetch: Callable[[], Withdrawable],
    make_form: Callable[[Withdrawable, object], forms.Form],
    template: str,
    act: Callable[[Withdrawable, dict], Withdrawable],
    success: Callable[[Withdrawable, Withdrawable], None],
    button: str,
    context: Callable[[Withdrawable], dict] = lambda obj: {},
) -> HttpResponse:
    """`name` is what the templates call it ("change" or "condition"). GET shows the form for
    the change or condition as it stands; POST calls the service and
    goes back to it, or shows the form again with its messages and everything typed. A form
    shown before someone else corrected or withdrew it is refused with what they did, and its
    text kept. A withdrawn one is neither corrected nor withdrawn again."""
    if request.method == "GET":
        if obj.is_withdrawn:
            withdrawn = timezone.localtime(obj.withdrawn_at)
            messages.warning(
                request,
                f"This {noun(obj)} was withdrawn on {withdrawn:%-d %B %Y}, so it can no longer "
                "be changed. If it still matters, record it again.",
            )
            return redirect(obj)
        return _render(request, template, name, obj, make_form(obj, None), context=context)
    form = make_form(obj, request.POST)

    def refuse() -> HttpResponse:
        now = fetch()
        since_shown = selectors.register_history(now, since=form.when_shown())
        refusal = Refusal(change=now, changes=since_shown[:REFUSAL_CHANGES_SHOWN], button=button)
        fresh = make_form(now, stale.fresh_data(request.POST, now))
        return _render(request, template, name, now, fresh, refusal=refusal, context=context)

    if stale.is_stale(request.POST, obj) or obj.is_withdrawn:
        return refuse()
    if form.is_valid():
        try:
            done = act(obj, form.cleaned_data)
        except ValidationError as error:
            if getattr(error, "code", None) in ("stale", "withdrawn"):  # as this was sent
                return refuse()
            form.add_error(None, error)
        else:
            success(obj, done)
            return redirect(done)
    return _render(request, template, name, obj, form, context=context)


def _render(request, template, name, obj, form, *, refusal=None, context) -> HttpResponse:
    return render(
        request,
        template,
        {
            name: obj,
            "obj": obj,
            "obj_noun": name,
            "form": form,
            "refusal": refusal,
            "nav_section": "improvement",
            **context(obj),
        },
    )
