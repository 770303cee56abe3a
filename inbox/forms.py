from django import forms

from cases.forms import DatePicker, NamedErrors
from cases.models import Case
from integrations.models import Integration

from .models import Match


class ReceivedTextFilter(NamedErrors, forms.Form):
    match = forms.ChoiceField(required=False, label="Matched", choices=[("", "Any"), *Match.choices])
    integration = forms.ChoiceField(required=False)
    case_reference = forms.CharField(required=False, label="Case reference")
    date_from = forms.DateField(required=False, label="From", widget=DatePicker(),
                                error_messages={"invalid": "Enter a real date, like 27 March 2026"})
    date_to = forms.DateField(required=False, label="To", widget=DatePicker(),
                              error_messages={"invalid": "Enter a real date, like 27 March 2026"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["integration"].choices = [("", "Any integration"), *Integration.objects.values_list("pk", "name")]

    def filters(self):
        if self.is_bound and not self.is_valid():
            return None
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")} if self.is_bound else {}


class LinkForm(NamedErrors, forms.Form):
    case_reference = forms.CharField(label="Case reference", max_length=30,
                                     help_text="The case this reply belongs to, like PA-2026-000123")

    def clean_case_reference(self):
        reference = self.cleaned_data["case_reference"].strip().upper()
        case = Case.objects.filter(reference=reference).first()
        if case is None:
            raise forms.ValidationError(f"There is no case {reference}")
        self.case = case
        return reference


class DismissForm(NamedErrors, forms.Form):
    reason = forms.CharField(label="Why it needs no case", max_length=300,
                             help_text="For example: a wrong number, or spam")


class ReplyForm(NamedErrors, forms.Form):
    mapping_template = forms.ChoiceField(label="Text message template")
    text = forms.CharField(label="Your message", widget=forms.Textarea(attrs={"rows": 5}), max_length=918,
                           help_text="Notify counts it before sending; you see its length and number of texts first.")

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {str(t.pk): t for t in templates}
        self.fields["mapping_template"].choices = [(pk, t.name) for pk, t in self.templates.items()]

    def chosen(self):
        return self.templates[self.cleaned_data["mapping_template"]]
