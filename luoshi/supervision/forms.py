from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from luoshi.supervision.models import DepartmentChannels, Notice, ScoreSheet


class ChaseForm(forms.Form):
    reports = forms.TypedMultipleChoiceField(
        label=_("Departments"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    message = forms.CharField(label=_("Message"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, late=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].choices = [
            (r.pk, f"{r.organization.name} · {r.period.label}") for r in late
        ]


class RuleForm(forms.Form):
    days_before = forms.CharField(
        label=_("Remind on these working days before the due day"),
        help_text=_("Numbers separated by commas, e.g. 3,1"),
        max_length=40,
    )
    daily_when_late = forms.BooleanField(
        label=_("Remind every working day when late"), required=False
    )
    escalate_after = forms.IntegerField(
        label=_("Escalate to the approver and leaders after working days late"),
        min_value=1,
        max_value=60,
    )
    starts_on = forms.DateField(label=_("Remind for periods due from"))

    def clean_days_before(self):
        raw = self.cleaned_data["days_before"].replace("，", ",")
        try:
            days = [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Enter whole numbers separated by commas.")) from None
        if not days or any(d < 1 or d > 20 for d in days):
            raise forms.ValidationError(_("Each day must be between 1 and 20."))
        return days


class ChannelsForm(forms.ModelForm):
    """The department head's reminder channels. The robots' keys and secrets are never sent back
    to the browser, not even to the head: a stored one shows as set; an empty field keeps it, a
    new value replaces it, and its "clear" box removes it."""

    SECRET_FIELDS = ("wecom_key", "dingtalk_token", "dingtalk_secret")

    class Meta:
        model = DepartmentChannels
        fields = ["email", "wecom_key", "dingtalk_token", "dingtalk_secret", "sms_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        order = []
        for name in self.Meta.fields:
            order.append(name)
            if name not in self.SECRET_FIELDS:
                continue
            field = self.fields[name]
            field.widget = forms.PasswordInput(attrs={"autocomplete": "new-password"})
            if getattr(self.instance, name):
                field.help_text = _("Set (never shown). Leave empty to keep it.")
                self.fields[f"clear_{name}"] = forms.BooleanField(
                    label=_("Clear the stored value"), required=False
                )
                order.append(f"clear_{name}")
        self.order_fields(order)

    def clean(self):
        cleaned = super().clean()
        for name in self.SECRET_FIELDS:
            if cleaned.get(f"clear_{name}"):
                cleaned[name] = ""
            elif not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class NoticeForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Department"), coerce=int)
    colour = forms.ChoiceField(
        label=pgettext_lazy("supervision notice", "Colour"),
        choices=Notice.Colour.choices,
        help_text=_("Blue: deadline near. Yellow: behind schedule or a poor report. Red: overdue."),
    )
    subject = forms.CharField(label=pgettext_lazy("supervision notice", "Subject"), max_length=200)
    body = forms.CharField(
        label=pgettext_lazy("supervision notice", "Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    reply_by = forms.DateField(
        label=pgettext_lazy("supervision notice", "Reply by"),
        help_text=_("The department replies with what it has done by this day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(d.pk, d.name) for d in departments]
        self.fields["organization"].choices = [("", "---------"), *choices]
        if self.initial.get("organization") not in dict(choices):
            self.initial.pop("organization", None)  # not a department of the plan: ignored
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css


class LateReportForm(forms.Form):
    """The late report a notice is about, as the chase page's late list links it
    (?department=&period=); a value that is not a whole number is left out."""

    department = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    period = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class AcknowledgeForm(forms.Form):
    response = forms.CharField(
        label=pgettext_lazy("supervision notice", "Response"),
        max_length=4000,
        widget=forms.Textarea,
    )


class ScoreSheetForm(forms.ModelForm):
    class Meta:
        model = ScoreSheet
        fields = ["start", "per_missing", "per_late", "per_returned", "per_flagged"]

    def clean_per_flagged(self):
        # Optional (blank=True): left empty, flagged entries cost nothing.
        return self.cleaned_data["per_flagged"] or 0
