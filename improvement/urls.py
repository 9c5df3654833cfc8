from django.urls import path
from django.views.generic import RedirectView

from improvement.views import changes, conditions, evidence

app_name = "improvement"

urlpatterns = [
    path("improvement/", RedirectView.as_view(pattern_name="improvement:conditions"), name="index"),
    path("improvement/conditions/", conditions.system_conditions, name="conditions"),
    path("improvement/conditions/new/", conditions.system_condition_new, name="condition_new"),
    path(
        "improvement/conditions/<int:pk>/correct/",
        conditions.system_condition_correct,
        name="condition_correct",
    ),
    path(
        "improvement/conditions/<int:pk>/withdraw/",
        conditions.system_condition_withdraw,
        name="condition_withdraw",
    ),
    path("improvement/changes/", changes.system_changes, name="changes"),
    path("improvement/changes/<int:pk>/", changes.system_change, name="change"),
    path("improvement/changes/<int:pk>/correct/", changes.system_change_correct, name="correct"),
    path("improvement/changes/<int:pk>/withdraw/", changes.system_change_withdraw, name="withdraw"),
    path("improvement/evidence/contact/<int:pk>/", evidence.mark_evidence, name="mark_evidence"),
    path("improvement/evidence/<int:pk>/remove/", evidence.remove_evidence, name="remove_evidence"),
    # Where the register of changes was, among the capability pages, before it had conditions.
    path(
        "capability/changes/",
        RedirectView.as_view(pattern_name="improvement:changes", permanent=True),
        name="old_changes",
    ),
    path(
        "capability/changes/<int:pk>/",
        RedirectView.as_view(pattern_name="improvement:change", permanent=True),
        name="old_change",
    ),
]
