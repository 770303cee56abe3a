from django import forms

from cases.forms import DatePicker, NamedErrors

from .history import OTHER_TYPES, TRACKED
from .models import RetentionPolicy


class AuditFilter(forms.Form):
    object_type = forms.ChoiceField(label="What changed", required=False,
                                    choices=[("", "Anything")] + [(k, v[1]) for k, v in TRACKED.items()]
                                    + list(OTHER_TYPES.items()))
    user = forms.CharField(label="Changed by (user name)", required=False, max_length=150)
    since = forms.DateField(label="From", required=False, widget=DatePicker)
    until = forms.DateField(label="To (inclusive)", required=False, widget=DatePicker)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data

    def filters(self):
        """The audit trail's filters, or None when the form is not valid."""
        if not self.is_valid():
            return None
        import datetime

        from django.utils import timezone

        data = self.cleaned_data

        def start(day):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time())) if day else None

        return {"object_type": data.get("object_type") or None, "user": data.get("user") or None,
                "since": start(data.get("since")),
                "until": start(data["until"] + datetime.timedelta(days=1)) if data.get("until") else None}


class RetentionPolicyForm(NamedErrors, forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ["personal_data_days", "record_days", "document_days_after_close"]


class ReasonForm(NamedErrors, forms.Form):
    reason = forms.CharField(label="Reason for the erasure", max_length=1000, widget=forms.Textarea,
                             help_text="Kept with the record of the erasure, for example “Request under Article 17 "
                                       "received on 1 December 2026, reference IG-123”. Do not write personal data "
                                       "here.")
