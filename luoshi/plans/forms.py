from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.orgs.models import Organization
from luoshi.plans.models import Assignment


class AssignmentForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("Department"), required=False
    )
    role = forms.ChoiceField(
        choices=Assignment.Role.choices, label=_("Role"), initial=Assignment.Role.UNKNOWN
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class BaseAssignmentFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            org = form.cleaned_data.get("organization")
            if not org or form.cleaned_data.get("DELETE"):
                continue
            if org in seen:
                raise forms.ValidationError(
                    _("%(name)s is listed twice.") % {"name": org.name}, code="duplicate"
                )
            seen.add(org)

    def departments(self) -> list[tuple[Organization, str]]:
        """The rows kept, in order: (organization, role)."""
        return [
            (form.cleaned_data["organization"], form.cleaned_data["role"])
            for form in self.forms
            if form.cleaned_data.get("organization") and not form.cleaned_data.get("DELETE")
        ]


AssignmentFormSet = forms.formset_factory(
    AssignmentForm, formset=BaseAssignmentFormSet, extra=2, can_delete=True
)


class ReviewForm(forms.Form):
    needs_review = forms.BooleanField(
        label=_("Still needs review"),
        required=False,
        help_text=_("Untick when the departments and roles above are confirmed."),
    )


class LedgerFilterForm(forms.Form):
    """The ledger's filters; the ledger page and its exports share this definition."""

    department = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, label=_("Department")
    )
    needs_review = forms.BooleanField(required=False, label=_("Only measures to review"))

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def filter(self, measures):
        if not self.is_valid():
            return measures
        if self.cleaned_data["department"]:
            measures = measures.filter(assignments__organization=self.cleaned_data["department"])
        if self.cleaned_data["needs_review"]:
            measures = measures.filter(needs_review=True)
        return measures
