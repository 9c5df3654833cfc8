from django import forms
from django.db.models import Q

from cases.models import WASTE_STEP_KINDS, ServiceType, TimelineEntry
from demand.models import DemandType, FailureCategory
from improvement.models import SystemChange, SystemCondition
from lib.forms import DateInput, GovukFormMixin, VersionMixin


class ServiceChoiceField(forms.ModelChoiceField):
    """Which service, or all of them."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=ServiceType.objects.filter(is_active=True),
            required=False,
            empty_label="All services",
            **kwargs,
        )


class ConditionsField(forms.ModelMultipleChoiceField):
    """The system conditions a change addresses: those not withdrawn, each with its service."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            queryset=SystemCondition.objects.filter(withdrawn_at__isnull=True).select_related(
                "service_type"
            ),
            required=False,
            **kwargs,
        )

    def label_from_instance(self, condition: SystemCondition) -> str:
        return f"{condition.title} ({condition.scope})"


class SystemChangeForm(GovukFormMixin, forms.Form):
    changed_on = forms.DateField(
        label="When did the work start being done the new way?",
        widget=DateInput,
        error_messages={
            "required": "Enter the date of the change.",
            "invalid": "Enter a real date, like 2026-03-31.",
        },
    )
    service_type = ServiceChoiceField(label="Which service?")
    description = forms.CharField(
        label="What changed?",
        help_text="For example: “The person who takes the call now books the repair directly.”",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Describe what changed in the way the work is done."},
    )
    conditions = ConditionsField(
        label="Which system conditions does it address?",
        help_text="The causes of failure demand this change removes or works around.",
    )
    purpose = forms.CharField(
        label="What is the work for, from the citizen's point of view? (optional)",
        help_text="For example: “Fix my repair at a time that suits me, first time.”",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    method = forms.CharField(
        label="How was it changed? (optional)",
        help_text="Who tried the new way, how, and what they learned doing it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    expectation = forms.CharField(
        label="What do you expect to see? (optional)",
        help_text=(
            "In words, not a number to hit: for example “Fewer tenants ringing to ask when the "
            "repair will be done, and repairs done in one visit.” The charts will show what "
            "happened."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    status = forms.ChoiceField(
        label="How is it going?",
        choices=SystemChange.Status.choices,
        initial=SystemChange.Status.TRYING,
        widget=forms.RadioSelect,
        required=False,
    )


class SystemChangeCorrectionForm(SystemChangeForm, VersionMixin):
    """The recording form again, filled in with the change as it stands. Its service and the
    conditions it addresses are offered even if since retired or withdrawn, so correcting the
    words alone still works."""

    def __init__(self, *args, change: SystemChange, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = ServiceType.objects.filter(
            Q(is_active=True) | Q(pk=change.service_type_id)
        )
        self.fields["conditions"].queryset = SystemCondition.objects.filter(
            Q(withdrawn_at__isnull=True) | Q(changes=change)
        ).distinct()

    @staticmethod
    def initial_for(change: SystemChange) -> dict:
        return {
            "changed_on": change.changed_on,
            "service_type": change.service_type_id,
            "description": change.description,
            "conditions": [c.pk for c in change.conditions.all()],
            "purpose": change.purpose,
            "method": change.method,
            "expectation": change.expectation,
            "status": change.status,
            "version": change.version,
        }


class WithdrawalForm(GovukFormMixin, VersionMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing it?",
        help_text=(
            "The register shows this next to it. For example: “Recorded twice” or "
            "“The new form was never used, so the work did not change.”"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, what: str = "change", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = (
            f"Say why you are withdrawing this {what}. Nothing was withdrawn yet."
        )


class DemandTypesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            queryset=DemandType.objects.filter(is_active=True).select_related("service_type"),
            required=False,
            **kwargs,
        )

    def label_from_instance(self, demand_type: DemandType) -> str:
        return f"{demand_type.service_type}: {demand_type.name}"


class SystemConditionForm(GovukFormMixin, forms.Form):
    title = forms.CharField(
        label="What in the work causes the failure demand?",
        help_text=(
            "In plain words, about the work, not a person: for example “Repair letters don't say "
            "when the trade will come.”"
        ),
        max_length=200,
        error_messages={"required": "Say in plain words what in the work causes it."},
    )
    kind = forms.ChoiceField(
        label="What kind of condition is it?",
        choices=SystemCondition.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of condition it is."},
    )
    service_type = ServiceChoiceField(
        label="Which service?", help_text="“All services” for a condition across the council."
    )
    description = forms.CharField(
        label="Describe it (optional)",
        help_text="What happens, where in the work, and what it leads citizens to do.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )
    failure_categories = forms.ModelMultipleChoiceField(
        label="Which kinds of failure demand does it cause?",
        queryset=FailureCategory.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Its failure demand is counted from these (of its service, if it has one).",
    )
    demand_types = DemandTypesField(
        label="Only about these requests? (optional)",
        help_text="Leave all unticked when it is about anything the service is asked for.",
    )
    waste_step_kinds = forms.MultipleChoiceField(
        label="Which kinds of waste step does it cause? (optional)",
        choices=[(k, v) for k, v in TimelineEntry.StepKind.choices if k in WASTE_STEP_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class SystemConditionCorrectionForm(SystemConditionForm, VersionMixin):
    """The recording form again, filled in with the condition as it stands (its retired
    service, kinds or requests still offered)."""

    def __init__(self, *args, condition: SystemCondition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = ServiceType.objects.filter(
            Q(is_active=True) | Q(pk=condition.service_type_id)
        )
        linked_categories = [c.pk for c in condition.failure_categories.all()]
        self.fields["failure_categories"].queryset = FailureCategory.objects.filter(
            Q(is_active=True) | Q(pk__in=linked_categories)
        )
        linked_types = [t.pk for t in condition.demand_types.all()]
        self.fields["demand_types"].queryset = DemandType.objects.filter(
            Q(is_active=True) | Q(pk__in=linked_types)
        ).select_related("service_type")

    @staticmethod
    def initial_for(condition: SystemCondition) -> dict:
        return {
            "title": condition.title,
            "kind": condition.kind,
            "service_type": condition.service_type_id,
            "description": condition.description,
            "failure_categories": [c.pk for c in condition.failure_categories.all()],
            "demand_types": [t.pk for t in condition.demand_types.all()],
            "waste_step_kinds": condition.waste_step_kinds,
            "version": condition.version,
        }


class EvidenceForm(GovukFormMixin, forms.Form):
    condition = forms.ModelChoiceField(
        label="Which system condition is it evidence of?",
        queryset=SystemCondition.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the system condition it is evidence of."},
    )

    def __init__(self, *args, conditions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["condition"].queryset = SystemCondition.objects.filter(
            pk__in=[c.pk for c in conditions]
        ).select_related("service_type")
        self.fields["condition"].label_from_instance = lambda c: f"{c.title} ({c.scope})"
