import calendar

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.importing.sources import MAX_UPLOAD_BYTES
from luoshi.orgs.models import Organization
from luoshi.plans.models import Assignment, Plan, Target


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


# --- The import preview -----------------------------------------------------------------------

MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // (1024 * 1024)
ROLE_CHOICES = [("lead", _("Lead")), ("co", _("Co-operating")), ("unknown", _("Not stated"))]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Plan document"),
        help_text=_(
            "The plan as issued: Word or WPS (.docx, .doc, .wps), PDF (.pdf; a scan is read by "
            "OCR), OFD (.ofd), Excel or WPS Spreadsheets (.xlsx, .xls, .et), a scanned picture "
            "(.png, .jpg, .tif) or text (.txt), at most 20 MB."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_MB}, code="too_big"
            )
        return upload


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class MonthField(forms.DateField):
    """A month (`<input type="month">`, YYYY-MM): its first day, or its last with `last_day`
    (tracking that ends in June ends on 30 June)."""

    widget = forms.DateInput(
        attrs={"type": "month", "class": "form-control form-control-sm"}, format="%Y-%m"
    )
    input_formats = ["%Y-%m"]

    def __init__(self, *, last_day: bool = False, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": _("Pick a month (YYYY-MM).")})
        super().__init__(input_formats=self.input_formats, **kwargs)
        self.last_day = last_day

    def to_python(self, value):
        day = super().to_python(value)
        if day and self.last_day:
            day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return day


class GoLiveForm(VersionForm):
    """The preview's confirmation: the draft's version and the months the plan is tracked."""

    tracking_start = MonthField(
        label=_("Reports start in"),
        help_text=_("The first month departments report for; earlier months are not asked for."),
    )
    tracking_end = MonthField(
        label=_("Reports end in"),
        last_day=True,
        required=False,
        help_text=_("Leave empty while the plan has no end."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("tracking_start"), cleaned.get("tracking_end")
        if start and end and end < start:
            raise forms.ValidationError(_("Tracking cannot end before it starts."), code="order")
        return cleaned


class MeasureForm(forms.Form):
    t = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    m = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class ItemForm(MeasureForm):
    i = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class TextForm(MeasureForm):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))


class NeedsReviewForm(MeasureForm):
    needs_review = forms.BooleanField(required=False)


class SplitForm(MeasureForm):
    position = forms.IntegerField(label=_("Split after character"), min_value=1)


class AddMeasureForm(forms.Form):
    t = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("A measure of our own"), widget=forms.Textarea(attrs={"rows": 2})
    )


class RoleField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ROLE_CHOICES, label=_("Role"), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return None if value == "unknown" else value


class AddDepartmentForm(MeasureForm):
    name = forms.CharField(label=_("Department"), max_length=100)
    role = RoleField()


class RoleForm(ItemForm):
    role = RoleField()


class MapNameForm(forms.Form):
    name = forms.CharField(max_length=100, widget=forms.HiddenInput)
    target = forms.CharField(label=_("Same as"), max_length=100)
    remember = forms.BooleanField(label=_("Remember as another name of it"), required=False)


class CreateNameForm(forms.Form):
    name = forms.CharField(max_length=100, widget=forms.HiddenInput)


class TargetForm(ItemForm):
    comparator = forms.ChoiceField(label=_("Comparator"), choices=Target.Comparator.choices)
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=4)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class HeaderForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    doc_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issue_date = forms.DateField(
        label=_("Issue date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    issuers = forms.CharField(
        label=_("Issued by"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    report_to = forms.CharField(label=_("Reports to"), max_length=100, required=False)
    frequency = forms.ChoiceField(
        label=_("Reporting frequency"),
        choices=[("", "—"), *Plan.Frequency.choices],
        required=False,
    )
    due_day = forms.IntegerField(label=_("Due day"), min_value=1, max_value=31, required=False)
    due_offset_months = forms.IntegerField(
        label=_("Due in the month after the period"),
        min_value=0,
        max_value=1,
        required=False,
        help_text=_("0: within the period; 1: in the next month."),
    )
    rule_text = forms.CharField(
        label=_("Reporting rule as written"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")

    def clean_issuers(self):
        return [line.strip() for line in self.cleaned_data["issuers"].splitlines() if line.strip()]

    @classmethod
    def initial_from(cls, data: dict) -> dict:
        rule = data.get("reporting") or {}
        return {
            "title": data["title"],
            "doc_number": data.get("doc_number") or "",
            "issue_date": data.get("issue_date"),
            "issuers": "\n".join(data.get("issuers", [])),
            "report_to": data.get("report_to") or "",
            "frequency": rule.get("frequency", ""),
            "due_day": rule.get("due_day"),
            "due_offset_months": rule.get("due_offset_months", 0),
            "rule_text": rule.get("text", ""),
        }


# The form that reads each edit of the preview (services.EDITS names the same operations).
class MeasureParentForm(forms.Form):
    """A live measure's parent among the measures of the plans its plan implements."""

    parent = forms.TypedChoiceField(
        label=_("Parent measure"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, measures: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = measures
        self.fields["parent"].choices = [("", _("Not linked"))] + [
            (pk, f"{m.key_task.plan.doc_number} {m.code} {m.text[:30]}")
            for pk, m in measures.items()
        ]

    def chosen(self):
        pk = self.cleaned_data["parent"]
        return None if pk is None else self.measures[pk]


class ParentForm(forms.Form):
    """The parent of key task `t`, or of its measure `m`: a pk, 0 for none."""

    t = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    m = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(min_value=0)


EDIT_FORMS = {
    "set_header": HeaderForm,
    "set_text": TextForm,
    "set_needs_review": NeedsReviewForm,
    "merge_with_next": MeasureForm,
    "split": SplitForm,
    "split_at_paragraph": MeasureForm,
    "move_last_sentence": MeasureForm,
    "add_department": AddDepartmentForm,
    "remove_department": ItemForm,
    "set_role": RoleForm,
    "keep_placeholder": ItemForm,
    "expand_collective": ItemForm,
    "map_name": MapNameForm,
    "create_name": CreateNameForm,
    "accept_target": ItemForm,
    "edit_target": TargetForm,
    "delete_target": ItemForm,
    "first_is_lead": forms.Form,  # for the whole plan: no field
    "set_parent": ParentForm,
    "add_measure": AddMeasureForm,
}


class SendDownForm(forms.Form):
    """The regions below the plan's to send it down to (those sent already left out); the
    page ticks them all until the form is sent."""

    regions = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Regions"),
        error_messages={"required": _("Pick one or more of the regions below this plan's.")},
    )

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = regions
