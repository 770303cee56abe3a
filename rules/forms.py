"""The rule editor: trigger, its settings, conditions (with consent offered up front) and actions."""

from django import forms

from cases.forms import NamedErrors
from mappings.models import MappingTemplate

from .conditions import OPERATORS
from .models import Rule, Trigger
from .services import DELIVERY_TRIGGER_STATUSES

CONDITION_ROWS = 4
CONSENT = {"email": "email", "sms": "text message", "letter": "letter"}


def subject_options(case_type):
    options = [("", "Choose"), ("case:status", "Status")]
    options += [(f"field:{f.key}", f"{f.label}") for f in case_type.fields.all()]
    options += [(f"date:{d}", f"Date {d}") for d in ("created", "updated", "closed", "due")]
    for role in case_type.person_roles or ["Applicant"]:
        options += [(f"person:{role}:consent_{c}", f"{role} agrees to contact by {label}") for c, label in CONSENT.items()]
        options += [(f"person:{role}:{d}", f"{role}'s {d.replace('_', ' ')}") for d in ("email", "phone")]
    for role in case_type.address_roles or ["Property"]:
        options += [(f"address:{role}:{d}", f"{role} {d}") for d in ("postcode", "town")]
    return options


def subject_from_code(code):
    parts = code.split(":")
    if parts[0] == "case":
        return {"source": "case", "detail": parts[1]}
    if parts[0] == "field":
        return {"source": "field", "key": parts[1]}
    if parts[0] == "date":
        return {"source": "date", "date": parts[1]}
    if parts[0] == "person":
        return {"source": "person", "role": parts[1], "detail": parts[2]}
    return {"source": "address", "of": "case", "role": parts[1], "detail": parts[2]}


def code_from_subject(subject):
    kind = subject.get("source")
    if kind == "case":
        return f"case:{subject['detail']}"
    if kind == "field":
        return f"field:{subject['key']}"
    if kind == "date":
        return f"date:{subject['date']}"
    if kind == "person":
        return f"person:{subject['role']}:{subject['detail']}"
    return f"address:{subject.get('role')}:{subject.get('detail')}"


class RuleForm(NamedErrors, forms.ModelForm):
    consent_role = forms.ChoiceField(label="Whose consent", required=False)
    consent = forms.MultipleChoiceField(
        label="Only send if they agreed to be contacted by", required=False, widget=forms.CheckboxSelectMultiple,
        choices=list(CONSENT.items()),
        help_text="Notify does not check consent. Tick the channels this rule sends by.")
    trigger_from = forms.ChoiceField(label="From status (optional)", required=False)
    trigger_to = forms.ChoiceField(label="To status (optional)", required=False)
    trigger_field = forms.ChoiceField(label="Field", required=False)
    trigger_value = forms.CharField(label="Changed to (optional)", required=False)
    trigger_date = forms.ChoiceField(label="Date", required=False)
    trigger_days = forms.IntegerField(label="Days after (negative: before)", required=False)
    trigger_status = forms.ChoiceField(label="Status", required=False)
    delivery_status = forms.ChoiceField(label="Delivery status", required=False)
    delivery_channel = forms.ChoiceField(label="Of a message sent by (optional)", required=False,
                                         choices=[("", "Any channel"), ("email", "Email"), ("sms", "Text message"),
                                                  ("letter", "Letter")])
    delivery_mapping_template = forms.ChoiceField(label="From the mapping template (optional)", required=False)
    delivery_rule = forms.ChoiceField(label="Sent by the rule (optional)", required=False)
    text_test = forms.ChoiceField(label="The reply", required=False,
                                  choices=[("", "Any reply"), ("starts_with", "starts with"), ("contains", "contains"),
                                           ("equals", "is exactly")])
    text_word = forms.CharField(label="Word", required=False, max_length=100,
                                help_text="A whole word, like STOP, compared without regard to capitals: “starts "
                                          "with YES” fits “Yes, I can” but not “Yesterday”")
    document_type = forms.ChoiceField(label="Document type", required=False)
    update_status = forms.ChoiceField(label="Set the status to", required=False)
    update_field = forms.ChoiceField(label="Set the field", required=False)
    update_value = forms.CharField(label="To the value", required=False, max_length=500,
                                   help_text="Checked as the case form checks it: a date like 2026-03-01, yes or no")
    update_consent_role = forms.ChoiceField(label="Whose consent", required=False)
    update_consent_channel = forms.ChoiceField(label="For", required=False,
                                               choices=[("", "No change to consent"), ("email", "Email"),
                                                        ("sms", "Text message"), ("letter", "Letter")])
    update_consent_to = forms.ChoiceField(label="Consent", required=False, widget=forms.RadioSelect,
                                          choices=[("withdraw", "Withdraw it"), ("give", "Record it as given")],
                                          initial="withdraw")
    actions = forms.ModelMultipleChoiceField(queryset=MappingTemplate.objects.none(), widget=forms.CheckboxSelectMultiple,
                                             label="Apply integration: mapping templates to send", required=False)

    class Meta:
        model = Rule
        fields = ["name", "enabled", "order", "trigger", "condition_mode", "send_once", "manual"]
        widgets = {"trigger": forms.RadioSelect, "condition_mode": forms.RadioSelect}

    def __init__(self, *args, case_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_type = case_type
        self.fields["trigger"].choices = Trigger.choices  # a radio for each trigger, with no empty "---------" one
        statuses = [("", "Any")] + [(s, s) for s in case_type.statuses.values_list("name", flat=True)]
        fields = [(f.key, f.label) for f in case_type.fields.all()]
        self.fields["trigger_from"].choices = self.fields["trigger_to"].choices = statuses
        self.fields["trigger_status"].choices = statuses[1:]
        self.fields["trigger_field"].choices = [("", "Choose")] + fields
        self.fields["trigger_date"].choices = [("", "Choose")] + [(d, f"Date {d}") for d in ("created", "updated", "closed", "due")] + [
            (f.key, f.label) for f in case_type.fields.all() if f.kind == "date"]
        self.fields["delivery_status"].choices = [("", "Choose"), *DELIVERY_TRIGGER_STATUSES.items()]
        mappings = MappingTemplate.objects.filter(case_type=case_type)
        self.fields["delivery_mapping_template"].choices = [("", "Any"), *((str(m.pk), m.name) for m in mappings)]
        others = Rule.objects.filter(case_type=case_type).exclude(pk=self.instance.pk)
        self.fields["delivery_rule"].choices = [("", "Any"), *((str(r.pk), r.name) for r in others)]
        self.fields["document_type"].choices = [("", "Choose")] + [(t, t) for t in case_type.document_types or []]
        self.fields["update_status"].choices = [("", "No change"), *statuses[1:]]
        self.fields["update_field"].choices = [("", "No change")] + fields
        self.fields["update_consent_role"].choices = [(r, r) for r in case_type.person_roles or ["Applicant"]]
        self.fields["consent_role"].choices = [(r, r) for r in case_type.person_roles or ["Applicant"]]
        self.fields["actions"].queryset = MappingTemplate.objects.filter(case_type=case_type).select_related("integration")
        subjects = subject_options(case_type)
        conditions = list(self.instance.conditions or []) if self.instance.pk else []
        consent = [c for c in conditions if c.get("subject", {}).get("detail", "").startswith("consent_")
                   and c.get("operator") == "is_true"]
        others = [c for c in conditions if c not in consent]
        if self.instance.pk:
            self._initial_from_rule(consent)
        for number in range(1, CONDITION_ROWS + 1):
            existing = others[number - 1] if number <= len(others) else None
            self.fields[f"condition_{number}"] = forms.ChoiceField(
                label=f"Condition {number}: what to check", choices=subjects, required=False,
                initial=code_from_subject(existing["subject"]) if existing else "")
            self.fields[f"operator_{number}"] = forms.ChoiceField(
                label="Test", choices=[("", "Choose")] + list(OPERATORS.items()), required=False,
                initial=existing.get("operator") if existing else "")
            self.fields[f"value_{number}"] = forms.CharField(
                label="Value", required=False, initial=existing.get("value") if existing else "",
                help_text="A value; dates like 2026-03-01, or today, today+7, today-14")

    def _initial_from_rule(self, consent):
        config = self.instance.trigger_config or {}
        initial = {"trigger_from": config.get("from"), "trigger_to": config.get("to"), "trigger_field": config.get("field"),
                   "trigger_value": config.get("to") if self.instance.trigger == Trigger.FIELD_CHANGED else None,
                   "trigger_date": config.get("date"), "document_type": config.get("document_type"),
                   "trigger_days": config.get("offset_days", config.get("days")),
                   **self._delivery_initial(config), **self._update_initial(),
                   "actions": [a.mapping_template_id for a in self.instance.actions.all()]}
        if consent:
            initial["consent_role"] = consent[0]["subject"]["role"]
            initial["consent"] = [c["subject"]["detail"].removeprefix("consent_") for c in consent]
        for name, value in initial.items():
            if value is not None:
                self.fields[name].initial = value

    def _update_initial(self):
        initial = {}
        for op in self.instance.case_update or []:
            if op.get("set") == "status":
                initial["update_status"] = op.get("to")
            elif op.get("set") == "field":
                initial.update(update_field=op.get("key"), update_value=op.get("to"))
            elif op.get("set") == "consent":
                initial.update(update_consent_role=op.get("role"), update_consent_channel=op.get("channel"),
                               update_consent_to="give" if op.get("to") else "withdraw")
        return initial

    def _case_update(self, data):
        ops = []
        if data.get("update_status"):
            ops.append({"set": "status", "to": data["update_status"]})
        if data.get("update_field") or data.get("update_value"):
            ops.append({"set": "field", "key": data.get("update_field") or "", "to": data.get("update_value") or ""})
        if data.get("update_consent_channel"):
            ops.append({"set": "consent", "role": data.get("update_consent_role"),
                        "channel": data["update_consent_channel"], "to": data.get("update_consent_to") == "give"})
        return ops

    def _delivery_initial(self, config):
        if self.instance.trigger == Trigger.TEXT_RECEIVED:
            return {"trigger_status": None, "text_test": config.get("test"), "text_word": config.get("word")}
        if self.instance.trigger != Trigger.DELIVERY_STATUS:
            return {"trigger_status": config.get("status")}
        return {"trigger_status": None, "delivery_status": config.get("status"), "delivery_channel": config.get("channel"),
                "delivery_mapping_template": str(config.get("mapping_template") or ""),
                "delivery_rule": str(config.get("rule") or "")}

    def condition_rows(self):
        return [(self[f"condition_{n}"], self[f"operator_{n}"], self[f"value_{n}"]) for n in range(1, CONDITION_ROWS + 1)]

    def _trigger_config(self, data):
        trigger = data.get("trigger")
        if trigger == Trigger.STATUS_CHANGED:
            return {k: v for k, v in (("from", data.get("trigger_from")), ("to", data.get("trigger_to"))) if v}
        if trigger == Trigger.FIELD_CHANGED:
            return {"field": data.get("trigger_field"), **({"to": data["trigger_value"]} if data.get("trigger_value") else {})}
        if trigger == Trigger.DATE_REACHED:
            return {"date": data.get("trigger_date"), "offset_days": data.get("trigger_days") or 0}
        if trigger == Trigger.TIME_IN_STATUS:
            return {"status": data.get("trigger_status"), "days": data.get("trigger_days")}
        if trigger == Trigger.DOCUMENT_ADDED:
            return {"document_type": data.get("document_type") or ""}
        if trigger == Trigger.TEXT_RECEIVED:
            return {"test": data.get("text_test") or "", "word": (data.get("text_word") or "").strip()}
        if trigger == Trigger.DELIVERY_STATUS:
            return {"status": data.get("delivery_status"), "channel": data.get("delivery_channel") or "",
                    "mapping_template": int(data["delivery_mapping_template"]) if data.get("delivery_mapping_template")
                    else "", "rule": int(data["delivery_rule"]) if data.get("delivery_rule") else ""}
        return {}

    def apply(self):
        data = self.cleaned_data
        rule = self.instance
        for name in self.Meta.fields:
            setattr(rule, name, data[name])
        rule.case_type = self.case_type
        rule.trigger_config = self._trigger_config(data)
        rule.case_update = self._case_update(data)
        conditions = [{"subject": {"source": "person", "role": data["consent_role"], "detail": f"consent_{c}"},
                       "operator": "is_true"} for c in data.get("consent") or []]
        for number in range(1, CONDITION_ROWS + 1):
            code = data.get(f"condition_{number}")
            if code:
                conditions.append({"subject": subject_from_code(code), "operator": data.get(f"operator_{number}"),
                                   "value": data.get(f"value_{number}") or ""})
        rule.conditions = conditions
        return rule

    def add_service_errors(self, error):
        for key, messages in error.message_dict.items():
            if key.startswith("condition_"):
                # Consent conditions come first; the rows are numbered after them.
                number = int(key.split("_")[1]) - len(self.cleaned_data.get("consent") or [])
                key = f"condition_{number}" if number >= 1 else "consent"
            self.add_error(key if key in self.fields else None, messages)


