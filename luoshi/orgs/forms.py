import re

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.orgs.models import Organization
from luoshi.orgs.services import member_choices, region_label

# Other names are written one a line, or separated by 、，, or ;
NAME_SEPARATORS = re.compile(r"[\n\r、，,；;]+")


class MemberField(forms.ModelMultipleChoiceField):
    """A collective's members, a district's unit named with its district (薛城区 · …)."""

    home_id = None

    def label_from_instance(self, obj):
        return region_label(obj, self.home_id)


class OrganizationForm(forms.Form):
    """A directory entry: the names plans use for it and, for a collective unit, its members."""

    region = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Region"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in Organization.Kind if k != Organization.Kind.REGION],
        initial=Organization.Kind.DEPARTMENT,
    )
    name = forms.CharField(
        label=_("Short name"),
        max_length=100,
        help_text=_("As plans write it, e.g. 市商务局."),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("The official name, e.g. 枣庄市商务局."),
    )
    aliases = forms.CharField(
        label=_("Other names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Other names plans use for it, one a line (or separated by 、)."),
    )
    members = MemberField(
        queryset=Organization.objects.none(),
        label=_("Members"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("For a collective unit: the organizations it stands for."),
    )

    def __init__(self, *args, regions=None, organization: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        if organization is None:
            self.fields["region"].queryset = regions
            if len(regions) == 1:
                self.fields["region"].initial = regions[0]
            del self.fields["members"]
        else:
            del self.fields["region"], self.fields["kind"]
            if organization.kind == Organization.Kind.COLLECTIVE:
                self.fields["members"].queryset = member_choices(organization)
                self.fields["members"].home_id = organization.parent_id
            else:
                del self.fields["members"]
        for name, field in self.fields.items():
            if name != "members":
                css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def clean_aliases(self):
        return [a.strip() for a in NAME_SEPARATORS.split(self.cleaned_data["aliases"]) if a.strip()]
