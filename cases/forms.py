"""Forms for case work and case-type settings. Domain rules live in cases.services; these map input."""

from django import forms
from django.core.exceptions import ValidationError

from .models import Address, CaseType, FieldDefinition, FieldKind, Person, Status

INPUTS = {
    FieldKind.TEXT: lambda: forms.CharField(),
    FieldKind.NUMBER: lambda: forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"})),
    FieldKind.DATE: lambda: forms.CharField(widget=DatePicker(), help_text=DATE_HINT),
    FieldKind.BOOLEAN: lambda: forms.ChoiceField(choices=[("", "Not known"), ("yes", "Yes"), ("no", "No")]),
    FieldKind.EMAIL: lambda: forms.CharField(widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"})),
    FieldKind.PHONE: lambda: forms.CharField(widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})),
}
FIELD_PREFIX = "field__"
DATE_HINT = "For example, 27 March 2026"


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value is always an ISO date, whatever the picker shows."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NamedErrors:
    """A form mixin: an empty required field's error names the field ("Enter first name", "Select a status"),
    as the GOV.UK Design System asks, instead of Django's "This field is required."."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.error_messages.get("required") != forms.Field.default_error_messages["required"]:
                continue
            label = str(field.label or name.replace("_", " ").capitalize())
            label = label[0].lower() + label[1:] if label[1:2].islower() or len(label) == 1 else label
            choosing = isinstance(field, (forms.ChoiceField, forms.BooleanField, forms.ModelMultipleChoiceField))
            field.error_messages["required"] = f"{'Select' if choosing else 'Enter'} {label}"


def apply_service_errors(form, error):
    """Put a ValidationError from cases.services onto the form's fields (field values by their key)."""
    for name, messages in error.message_dict.items():
        if name == "field_values":
            for message in messages:
                key, _, text = message.partition(": ")
                target = FIELD_PREFIX + key
                form.add_error(target if target in form.fields else None, text or message)
        else:
            form.add_error(name if name in form.fields else None, messages)


class CaseForm(NamedErrors, forms.Form):
    """A case of one type: summary, status, due date and an input per field definition."""

    summary = forms.CharField(max_length=200, required=False, help_text="A line that tells cases apart in lists.")
    status = forms.ModelChoiceField(queryset=Status.objects.none(), empty_label=None)
    due_date = forms.DateField(required=False, widget=DatePicker(), help_text=DATE_HINT,
                               error_messages={"invalid": "Enter a real due date, like 27 March 2026"})

    def __init__(self, *args, case_type, case=None, **kwargs):
        if case is not None and "initial" not in kwargs:
            kwargs["initial"] = {"summary": case.summary, "status": case.status_id, "due_date": case.due_date,
                                 **{FIELD_PREFIX + k: _initial(v) for k, v in case.field_values.items()}}
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        self.fields["status"].queryset = case_type.statuses.all()
        if case is None:
            self.fields["status"].initial = case_type.statuses.filter(is_initial=True).first()
        self.definitions = list(case_type.fields.all())
        for definition in self.definitions:
            if definition.kind == FieldKind.CHOICE:
                field = forms.ChoiceField(choices=[("", "Choose")] + [(c, c) for c in definition.choices])
            else:
                field = INPUTS[definition.kind]()
            field.label = definition.label
            field.required = False  # checked by the service, with its own messages
            field.needed = definition.required  # so its label does not say "(optional)"
            field.help_text = definition.help_text or field.help_text
            self.fields[FIELD_PREFIX + definition.key] = field

    def field_values(self):
        return {d.key: self.cleaned_data.get(FIELD_PREFIX + d.key) for d in self.definitions}

    def field_inputs(self):
        return [self[FIELD_PREFIX + d.key] for d in self.definitions]


def _initial(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


class CaseTypeChoiceForm(NamedErrors, forms.Form):
    case_type = forms.ModelChoiceField(queryset=CaseType.objects.all(), empty_label=None, label="Type of case",
                                       widget=forms.RadioSelect)


class RoleField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=50, **kwargs)


class PersonForm(NamedErrors, forms.ModelForm):
    role = RoleField(help_text="For example Applicant or Agent.")

    class Meta:
        model = Person
        fields = ["title", "first_name", "last_name", "email", "phone", "date_of_birth", "consent_email",
                  "consent_sms", "consent_letter"]
        widgets = {
            "date_of_birth": DatePicker(),
            "email": forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        error_messages = {"date_of_birth": {"invalid": "Enter a real date of birth, like 17 May 1980"}}

    def __init__(self, *args, with_role=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_role:
            del self.fields["role"]


class AddressForm(NamedErrors, forms.ModelForm):
    role = RoleField(help_text="For example Property or Correspondence.")
    correspondence_for = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="It is also the correspondence address of", help_text="Letters to them go here.")

    class Meta:
        model = Address
        fields = ["line_1", "line_2", "line_3", "line_4", "town", "county", "postcode", "country"]
        widgets = {"postcode": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})}

    def __init__(self, *args, with_role=True, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].needed = True  # for a UK address: the model says so, and the label must not
        self.fields["postcode"].help_text = "Needed for an address in the UK"
        if not with_role:
            del self.fields["role"]
        if people is None:
            del self.fields["correspondence_for"]
        else:
            self.fields["correspondence_for"].queryset = people


class LinesField(forms.CharField):
    """A list entered one item per line."""

    widget = forms.Textarea

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class CaseTypeForm(NamedErrors, forms.ModelForm):
    person_roles = LinesField(required=False, help_text="One role a line, for example Applicant.")
    address_roles = LinesField(required=False, help_text="One role a line, for example Property.")
    document_types = LinesField(required=False, help_text="One type a line, for example Decision notice.")

    class Meta:
        model = CaseType
        fields = ["name", "reference_prefix", "description", "person_roles", "address_roles", "document_types"]


class FieldDefinitionForm(NamedErrors, forms.ModelForm):
    choices = LinesField(required=False, help_text="For a choice field: one option a line.")

    class Meta:
        model = FieldDefinition
        fields = ["label", "key", "kind", "required", "choices", "help_text", "order"]
        help_texts = {"key": "Lower-case letters, digits and underscores, for example decision_date. "
                             "Rules and mapping templates use it."}

    def __init__(self, *args, case_type, in_use=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_type, self.in_use = case_type, in_use

    def clean_key(self):
        key = self.cleaned_data["key"]
        clash = self.case_type.fields.filter(key=key).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("This case type already has a field with this key")
        if self.instance.pk and self.in_use and key != self.instance.key:
            raise ValidationError(f"{self.in_use} cases have a value for this field: its key cannot change")
        return key

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.in_use and data.get("kind") and data["kind"] != self.instance.kind:
            self.add_error("kind", f"{self.in_use} cases have a value for this field: its kind cannot change")
        if data.get("kind") == FieldKind.CHOICE and not data.get("choices"):
            self.add_error("choices", "Enter at least one option for a choice field")
        return data


class StatusForm(NamedErrors, forms.ModelForm):
    class Meta:
        model = Status
        fields = ["name", "order", "is_initial", "is_closed"]

    def __init__(self, *args, case_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_type = case_type

    def clean_name(self):
        name = self.cleaned_data["name"]
        if self.case_type.statuses.filter(name=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError("This case type already has a status with this name")
        return name
