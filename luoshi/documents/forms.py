from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from luoshi.documents.models import DocumentPreset
from luoshi.documents.services import ReportOptions
from luoshi.plans.forms import LedgerFilterForm

MAX_ID = 2**63 - 1  # the largest primary key (a signed 64-bit integer)


class ReportOptionsForm(forms.Form):
    """The choices for the consolidated report; the page, the .docx and the .pdf share them."""

    include_submitted = forms.BooleanField(
        required=False,
        label=_("Also include submitted reports not yet accepted"),
    )
    full = forms.BooleanField(
        required=False,
        label=_("Full compilation of every entry (instead of the brief)"),
    )
    as_document = forms.BooleanField(
        required=False,
        label=_("Issue as a document (issuing office's mark and document number)"),
    )
    doc_number = forms.CharField(required=False, max_length=60, label=_("Document number"))
    signer = forms.CharField(required=False, max_length=40, label=_("Signed off by"))
    addressee = forms.CharField(max_length=200, label=_("Main recipient"))
    copy_to = forms.CharField(required=False, max_length=500, label=_("Copied to"))
    signed_by = forms.CharField(max_length=100, label=_("Issuing office (signature)"))
    printed_by = forms.CharField(max_length=100, label=_("Printed by"))
    date = forms.DateField(
        label=_("Date of the document"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *, defaults: ReportOptions, **kwargs):
        initial = {
            "addressee": defaults.addressee,
            "copy_to": defaults.copy_to,
            "signed_by": defaults.signed_by,
            "printed_by": defaults.printed_by,
            "date": defaults.date,
        }
        if data is not None:
            # A link may carry only some choices: the others keep their defaults.
            merged = {key: "" if value is None else str(value) for key, value in initial.items()}
            merged.update(data.dict() if hasattr(data, "dict") else data)
            data = merged
        super().__init__(data, initial=initial, **kwargs)
        self.defaults = defaults

    def clean(self):
        data = super().clean()
        if data.get("as_document") and not (data.get("doc_number") or "").strip():
            raise ValidationError(_("Give the document number to issue it as a document."))
        return data

    def options(self) -> ReportOptions:
        """The chosen options (the defaults while the form is unbound)."""
        if not self.is_bound:
            return self.defaults
        data = self.cleaned_data
        return ReportOptions(
            include_submitted=data["include_submitted"],
            full=data["full"],
            signer=data["signer"].strip(),
            as_document=data["as_document"],
            doc_number=data["doc_number"].strip(),
            addressee=data["addressee"].strip(),
            copy_to=data["copy_to"].strip(),
            printed_by=data["printed_by"].strip(),
            signed_by=data["signed_by"].strip(),
            date=data["date"],
        )


class PeriodsField(forms.ModelMultipleChoiceField):
    """Periods by id; an id no database column can hold is a wrong choice, not an overflow."""

    def clean(self, value):
        for item in value or []:
            if not str(item).isdigit() or int(item) > MAX_ID:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().clean(value)


class LedgerExportForm(LedgerFilterForm):
    """The ledger page's filters and the periods to export, one sheet each (none: all)."""

    periods = PeriodsField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Periods"),
        help_text=_("One sheet per period; none ticked exports every period begun."),
        error_messages={
            "invalid_choice": _("A chosen period is not one of this plan's periods begun."),
            "invalid_pk_value": _("A chosen period is not one of this plan's periods begun."),
        },
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["periods"].queryset = periods


class TemplateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in Word template (.docx)"),
        error_messages={
            "required": _("Choose the filled-in Word file first."),
            "empty": _("The file is empty."),
        },
    )


class PresetForm(forms.ModelForm):
    """The plan's issuing preset: what the one-click document carries."""

    class Meta:
        model = DocumentPreset
        fields = ["issuer_mark", "number_prefix", "signer", "addressee", "copy_to", "printed_by"]


class ParagraphForm(forms.Form):
    """A key task's paragraph of the brief, as the coordinator edits and accepts it."""

    text = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label=_("Paragraph"),
        help_text=_("Leave empty to go back to the paragraph chosen by the rules."),
    )
    draft = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
