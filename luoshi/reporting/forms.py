from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.reporting.models import ReportEntry


def _textarea(rows: int, placeholder=""):
    attrs = {"rows": rows, "class": "form-control", "data-autosave": ""}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


class EntryForm(forms.Form):
    """One measure of a department's report. Each entry is its own HTML form, saved on its own.

    Actual values are fields `target_<id>`, one per target of the measure. A value that is not
    a number is left out of the save (and reported), so a typo never costs the text around it.
    """

    progress = forms.CharField(
        label=_("Progress"),
        required=False,
        strip=False,
        widget=_textarea(4, _("What was done this period: actions, results, figures.")),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ReportEntry.Status.choices,
        widget=forms.Select(attrs={"class": "form-select", "data-autosave": ""}),
    )
    behind_reason = forms.CharField(
        label=_("Reason for the delay"), required=False, strip=False, widget=_textarea(2)
    )
    problems = forms.CharField(
        label=_("Problems"), required=False, strip=False, widget=_textarea(2)
    )
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, strip=False, widget=_textarea(2)
    )

    def __init__(self, *args, entry: ReportEntry, **kwargs):
        kwargs.setdefault("prefix", f"e{entry.pk}")
        if not args or args[0] is None:
            kwargs.setdefault("initial", self.initial_for(entry))
        super().__init__(*args, **kwargs)
        self.entry = entry
        for target in entry.measure.targets.all():
            self.fields[f"target_{target.pk}"] = forms.DecimalField(
                label=f"{target.get_comparator_display()} {target.value_display}{target.unit}",
                required=False,
                max_digits=18,
                decimal_places=4,
                widget=forms.NumberInput(
                    attrs={"class": "form-control", "step": "any", "data-autosave": ""}
                ),
            )

    @staticmethod
    def initial_for(entry: ReportEntry) -> dict:
        initial = {name: getattr(entry, name) for name in ReportEntry.TEXT_FIELDS}
        for actual in entry.actuals.all():
            initial[f"target_{actual.target_id}"] = f"{actual.value.normalize():f}"
        return initial

    def data_to_save(self) -> dict:
        """The fields for `save_entry()`; call after is_valid(). Invalid actuals are left out."""
        data = {}
        for name in ReportEntry.TEXT_FIELDS:
            if name in self.cleaned_data:
                data[name] = self.cleaned_data[name]
            elif name == "status":  # an unknown status: keep the stored one
                data[name] = self.entry.status
            else:
                data[name] = self.data.get(self.add_prefix(name), "")
        actuals = {}
        for name in self.fields:
            if name.startswith("target_") and name in self.cleaned_data:
                actuals[int(name.removeprefix("target_"))] = self.cleaned_data[name]
        data["actuals"] = actuals
        return data

    def side_by_side(self, theirs: ReportEntry) -> list[dict]:
        """For a conflict, field by field: the stored entry (theirs) beside what this user sent
        (mine); call after is_valid()."""
        mine = self.data_to_save()
        statuses = dict(ReportEntry.Status.choices)
        rows = []
        for name in ReportEntry.TEXT_FIELDS:
            their_value, my_value = getattr(theirs, name), mine.get(name, "")
            if name == "status":
                their_value, my_value = statuses[their_value], statuses.get(my_value, my_value)
            rows.append((self.fields[name].label, their_value, my_value))
        their_actuals = {a.target_id: a.value for a in theirs.actuals.all()}
        for target in theirs.measure.targets.all():
            values = (their_actuals.get(target.pk), mine["actuals"].get(target.pk))
            their_value, my_value = (f"{v.normalize():f}" if v is not None else "" for v in values)
            rows.append((self.fields[f"target_{target.pk}"].label, their_value, my_value))
        return [
            {"label": label, "theirs": theirs_, "mine": mine_, "differs": theirs_ != mine_}
            for label, theirs_, mine_ in rows
        ]


class CommentForm(forms.Form):
    """The coordinator's comment when returning a report, or the reason for reopening one."""

    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=4000,
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Evidence file"),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control form-control-sm",
                "accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx",
            }
        ),
    )


class IdListField(forms.Field):
    """A list of ids sent as repeated form fields (checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Invalid selection."), code="invalid") from None


class BulkAcceptForm(forms.Form):
    reports = IdListField(label=_("Reports"))


class HolidayRangeForm(forms.Form):
    """Days of a holiday notice: one day, or a range of days of the same kind."""

    KINDS = [("holiday", _("Day off (休)")), ("workday", _("Make-up workday (班)"))]

    first = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    last = forms.DateField(
        label=_("To (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KINDS, widget=forms.Select(attrs={"class": "form-select"})
    )
    name = forms.CharField(
        label=_("Holiday"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "春节"}),
    )


class HolidayFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.txt"}),
    )
