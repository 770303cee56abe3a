from django import forms

from cases.forms import NamedErrors

from .keys import parse_api_key
from .models import Integration, NotifyService
from .services import normalise_base_url

CUSTOM = "custom"


class IntegrationForm(NamedErrors, forms.ModelForm):
    """The General tab. The key is never shown back: leave it empty to keep the stored one."""

    service = forms.ChoiceField(
        label="Notify service", choices=[*NotifyService.choices, (CUSTOM, "Another address, for example a local sandbox")],
        widget=forms.RadioSelect)
    custom_url = forms.CharField(label="Service address", required=False,
                                 help_text="For example http://127.0.0.1:6011", widget=forms.URLInput)
    api_key = forms.CharField(
        label="API key", required=False, strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}, render_value=False),
        help_text="From API integration in Notify. It is stored encrypted and never shown again. Notify's keys do "
                  "not say which kind they are (test, team and guest list, or live), so the product does not ask: "
                  "see below what each kind does.")

    class Meta:
        model = Integration
        fields = ["name", "enabled", "reply_to_id", "sms_sender_id", "rate_limit"]
        help_texts = {"enabled": "When enabled, saving connects to Notify to check the address and the key."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        url = self.instance.base_url
        self.fields["service"].initial = url if url in NotifyService.values else CUSTOM
        self.fields["custom_url"].initial = "" if url in NotifyService.values else url
        if self.instance.has_key:
            self.fields["api_key"].help_text = (
                f"A key is set: {self.instance.key_hint}. Leave this empty to keep it, or enter a new key.")

    def clean_api_key(self):
        key = self.cleaned_data.get("api_key")
        if key:
            try:
                parse_api_key(key)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from None
        return key

    def clean(self):
        data = super().clean()
        if data.get("service") == CUSTOM:
            try:
                data["base_url"] = normalise_base_url(data.get("custom_url"))
            except ValueError as error:
                self.add_error("custom_url", str(error))
        elif data.get("service"):
            data["base_url"] = data["service"]
        if data.get("enabled") and not data.get("api_key") and not self.instance.has_key:
            self.add_error("api_key", "Enter the API key: an enabled integration needs one")
        return data

    def apply(self):
        """The instance with the form's values (not saved)."""
        integration = self.instance
        for name in self.Meta.fields:
            setattr(integration, name, self.cleaned_data[name])
        integration.base_url = self.cleaned_data["base_url"]
        return integration
