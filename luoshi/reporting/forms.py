from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.plans.forms import MonthField
from luoshi.plans.models import Plan
from luoshi.reporting.models import PlanSchedule, ReportEntry


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
    no_new_progress = forms.BooleanField(label=_("No new progress this period"), required=False)
    no_new_progress_reason = forms.CharField(
        label=_("Why there is no new progress"), required=False, strip=False, widget=_textarea(2)
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
            elif name == "no_new_progress":
                their_value, my_value = ("✓" if v else "" for v in (their_value, my_value))
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


class ScheduleForm(forms.Form):
    """The schedule page: the plan's reporting rule and when it is tracked."""

    frequency = forms.ChoiceField(label=_("Reporting frequency"), choices=Plan.Frequency.choices)
    due_day = forms.IntegerField(
        label=_("Due day"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("The day of the month reports are due; a short month ends earlier."),
    )
    due_offset_months = forms.TypedChoiceField(
        label=_("The due day falls in"),
        coerce=int,
        choices=[(0, _("the period's last month")), (1, _("the month after the period (次月)"))],
    )
    holiday_rule = forms.ChoiceField(
        label=_("When the due day is not a workday"), choices=PlanSchedule.HolidayRule.choices
    )
    tracking_start = MonthField(label=_("Reports start in"))
    tracking_end = MonthField(
        label=_("Reports end in"),
        last_day=True,
        required=False,
        help_text=_("Leave empty while the plan has no end."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("frequency") not in (None, Plan.Frequency.ONCE) and not cleaned.get(
            "due_day"
        ):
            self.add_error("due_day", _("Give the day of the month reports are due."))
        start, end = cleaned.get("tracking_start"), cleaned.get("tracking_end")
        if start and end and end < start:
            self.add_error("tracking_end", _("Tracking cannot end before it starts."))
        return cleaned

    def groups(self) -> list[tuple[str, list]]:
        """The fields under their legends: the rule, then the months tracked."""
        names = list(self.fields)
        return [
            (_("Reporting rule"), [self[n] for n in names[:4]]),
            (_("Tracking"), [self[n] for n in names[4:]]),
        ]

    @classmethod
    def initial_for(cls, plan: Plan, schedule: PlanSchedule | None, today) -> dict:
        return {
            "frequency": plan.report_frequency or Plan.Frequency.MONTHLY,
            "due_day": plan.report_due_day,
            "due_offset_months": plan.report_due_offset_months,
            "tracking_start": schedule.tracking_start if schedule else today.replace(day=1),
            "tracking_end": schedule.tracking_end if schedule else None,
            "holiday_rule": schedule.holiday_rule if schedule else PlanSchedule.HolidayRule.KEEP,
        }


class ClosureRequestForm(forms.Form):
    """The lead department's request to close (销号) a measure: its evidence."""

    evidence = forms.CharField(
        label=_("Evidence that the measure is done"),
        max_length=4000,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "class": "form-control",
                "placeholder": _("What was achieved, with figures, documents and dates."),
            }
        ),
        error_messages={"required": _("Describe the evidence that the measure is done.")},
    )
    evidence_file = forms.FileField(
        label=_("Evidence file (optional)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"}
        ),
    )


class ClosureDecisionForm(forms.Form):
    """The coordinator's comment on a closure request: required to reject it."""

    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000)


class LateEntryForm(forms.Form):
    """A late-entry exception: until which day the department may enter, and why."""

    deadline = forms.DateField(
        label=_("May enter until"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
        error_messages={
            "required": _("Choose the last day of the late entry."),
            "invalid": _("Enter the last day as a date, e.g. 2026-12-04."),
        },
    )
    comment = forms.CharField(label=_("Reason"), required=False, max_length=4000)


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
