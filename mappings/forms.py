"""The mapping template form: the template's settings, who receives it, and one row per placeholder."""

from django import forms

from cases.forms import NamedErrors
from cases.models import CaseType
from integrations.models import NotifyTemplate

from .models import FILE_RETENTION_DEFAULT_WEEKS, Channel, MappingTemplate
from .options import (
    code_for,
    recipient_code,
    recipient_from_code,
    recipient_options,
    source_from_code,
    source_options,
)

FILE_FIELDS = ("file_confirm_email", "file_retention_weeks")


class ChooseForm(NamedErrors, forms.Form):
    """Step one: the case type and the kind of message, which decide what the next step offers."""

    case_type = forms.ModelChoiceField(queryset=CaseType.objects.all(), empty_label=None, label="Case type")
    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.RadioSelect, label="Type")


class MappingTemplateForm(NamedErrors, forms.ModelForm):
    recipient_code = forms.ChoiceField(label="Send to")
    recipient_text = forms.CharField(required=False, label="Fixed email address",
                                     help_text="Only when sending to a fixed email address.")

    document_type = forms.ChoiceField(label="Document type", help_text="The case's latest document of this type is "
                                      "sent as the letter. The address printed in it is where it goes.")

    class Meta:
        model = MappingTemplate
        fields = ["name", "notify_template_id", "enabled", "email_reply_to_id", "sms_sender_id", "skip_failed_contacts",
                  "postage", "file_confirm_email", "file_retention_weeks"]
        labels = {"notify_template_id": "Notify template"}

    def __init__(self, *args, integration, case_type, channel, **kwargs):
        super().__init__(*args, **kwargs)
        self.integration, self.case_type, self.channel = integration, case_type, channel
        self.rows = []
        if channel == Channel.PRECOMPILED:
            self._precompiled_fields(case_type)
            return
        for name in ("document_type", "postage") + (() if channel == "email" else FILE_FIELDS):
            del self.fields[name]
        if "file_retention_weeks" in self.fields:
            self.fields["file_retention_weeks"].required = False  # empty: Notify's default
        templates = NotifyTemplate.objects.filter(integration=integration, type=channel)
        self.fields["notify_template_id"] = forms.ChoiceField(
            label="Notify template", choices=[("", "Choose a template")] + [(t.notify_id, t.name) for t in templates],
            help_text=f"The integration's {Channel(channel).label.lower()} templates, as last fetched from Notify.")
        self.fields["notify_template_id"].initial = self.instance.notify_template_id
        fields = list(case_type.fields.all())
        roles = {"fields": fields, "person_roles": case_type.person_roles or ["Applicant"],
                 "address_roles": case_type.address_roles or ["Property"]}
        self.fields["recipient_code"].choices = recipient_options(channel, **roles)
        if channel != "email":
            del self.fields["recipient_text"]
            del self.fields["email_reply_to_id"]
        if channel != "sms":
            del self.fields["sms_sender_id"]
        if channel == "letter":
            del self.fields["skip_failed_contacts"]
        if self.instance.pk and self.instance.recipient:
            code, text = recipient_code(self.instance.recipient)
            self.fields["recipient_code"].initial = code
            if "recipient_text" in self.fields:
                self.fields["recipient_text"].initial = text
        self.source_choices = source_options(
            **roles, document_types=case_type.document_types if channel == "email" else ())
        chosen = self.data.get("notify_template_id") or self.instance.notify_template_id
        template = templates.filter(notify_id=chosen).first()
        existing = {p.placeholder: p for p in self.instance.placeholders.all()} if self.instance.pk else {}
        for name in (template.placeholders if template else []):
            self._add_row(name, existing.get(name))

    def _precompiled_fields(self, case_type):
        """A letter from a case document: its name, the document type and the postage; no template, no recipient."""
        for name in ("notify_template_id", "recipient_code", "recipient_text", "email_reply_to_id", "sms_sender_id",
                     "skip_failed_contacts", *FILE_FIELDS):
            del self.fields[name]
        types = case_type.document_types or []
        self.fields["document_type"].choices = [("", "Choose a document type")] + [(t, t) for t in types]
        self.fields["document_type"].initial = self.instance.document_type
        self.fields["postage"].help_text = "Economy is the cheapest and slowest; letters abroad go by international post."

    def _add_row(self, name, existing):
        code, text = code_for(existing.source) if existing else ("", "")
        self.fields[f"source__{name}"] = forms.ChoiceField(
            label=f"(({name}))", choices=[("", "Choose what fills it"), *self.source_choices], initial=code,
            required=False)
        self.fields[f"text__{name}"] = forms.CharField(
            label=f"Manual text for (({name}))", required=False, initial=text,
            help_text="Plain words, or placeholders like {{case.reference}}, {{field.fee}}, {{date.due|short}}, "
                      "{{person.Applicant.first_name}}, {{address.Property.postcode}}")
        self.fields[f"optional__{name}"] = forms.BooleanField(
            label="Send it empty when the case has no value", required=False,
            initial=bool(existing and existing.optional))
        self.fields[f"citizen__{name}"] = forms.BooleanField(
            label="Typed by a member of the public (Notify sanitises it)", required=False,
            initial=bool(existing and existing.citizen_text))
        self.rows.append({"name": name, "source": self[f"source__{name}"], "text": self[f"text__{name}"],
                          "optional": self[f"optional__{name}"], "citizen": self[f"citizen__{name}"]})

    def placeholder_rows(self):
        """{name: {"source", "optional", "citizen_text"}} from the cleaned data (rows with no source left out)."""
        rows = {}
        for row in self.rows:
            name = row["name"]
            code = self.cleaned_data.get(f"source__{name}")
            if not code:
                continue
            rows[name] = {"source": source_from_code(code, self.cleaned_data.get(f"text__{name}", "")),
                          "optional": self.cleaned_data.get(f"optional__{name}", False),
                          "citizen_text": self.cleaned_data.get(f"citizen__{name}", False)}
        return rows

    def apply(self):
        mapping = self.instance
        for name in ("name", "notify_template_id", "enabled", "email_reply_to_id", "sms_sender_id",
                     "skip_failed_contacts", "document_type", "postage", *FILE_FIELDS):
            if name in self.cleaned_data:
                setattr(mapping, name, self.cleaned_data[name])
        mapping.integration, mapping.case_type, mapping.channel = self.integration, self.case_type, self.channel
        if mapping.file_retention_weeks is None:
            mapping.file_retention_weeks = FILE_RETENTION_DEFAULT_WEEKS
        if self.channel == Channel.PRECOMPILED:
            mapping.notify_template_id, mapping.recipient = "", {}
            return mapping
        mapping.recipient = recipient_from_code(self.channel, self.cleaned_data["recipient_code"],
                                                self.cleaned_data.get("recipient_text", ""))
        return mapping

    def add_service_errors(self, error):
        for key, messages in error.message_dict.items():
            if key.startswith("placeholder:"):
                self.add_error(f"source__{key.split(':', 1)[1]}", messages)
            elif key == "recipient":
                self.add_error("recipient_code", messages)
            else:
                self.add_error(key if key in self.fields else None, messages)


