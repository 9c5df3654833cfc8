"""The select written in Python (lib.forms.InlineSelect) gives the same markup as
Django's template-rendered select, for every shape of choice list the forms use."""

import pytest
from django import forms
from django.test.html import parse_html

from lib.forms import InlineSelect
from lib.templatetags.councilflow import govuk_widget


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Anyone"), ("1", "Ann <Lee>"), ("2", 'Bo "B" & co')])
    grouped = forms.ChoiceField(
        choices=[("", "Choose"), ("Bins", [("3", "Missed bin"), ("4", "New bin")])],
        required=False,
        help_text="Grouped by service",
    )


@pytest.mark.parametrize(
    "data", [{}, {"plain": "2", "grouped": "4"}, {"plain": "<script>", "grouped": ""}]
)
@pytest.mark.parametrize("name", ["plain", "grouped"])
def test_inline_select_matches_djangos_select(name, data):
    form = Choices(data or None)
    field = form[name]
    field.field.widget.attrs["autofocus"] = True
    django_html = field.as_widget(attrs={"class": "govuk-select"})
    inline_html = field.as_widget(
        widget=InlineSelect.like(field.field.widget), attrs={"class": "govuk-select"}
    )
    assert parse_html(inline_html) == parse_html(django_html)
    assert "<script>" not in inline_html


def test_fields_render_through_the_inline_select():
    form = Choices({"plain": "1"})
    html = govuk_widget(form["grouped"])
    assert '<optgroup label="Bins">' in html and 'aria-describedby="id_grouped-hint"' in html
    assert '<option value="1" selected>Ann &lt;Lee&gt;</option>' in govuk_widget(form["plain"])
