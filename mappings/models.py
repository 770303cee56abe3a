"""Mapping templates: for one Notify template, which case data fills each placeholder and who receives it."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"
    PRECOMPILED = "precompiled_letter", "Letter from a case document (PDF)"


class Postage(models.TextChoices):
    SECOND = "second", "Second class"
    FIRST = "first", "First class"
    ECONOMY = "economy", "Economy"


# Notify keeps a file sent by email for 26 weeks unless told otherwise, and for at most 78.
FILE_RETENTION_DEFAULT_WEEKS, FILE_RETENTION_MAX_WEEKS = 26, 78


class MappingTemplate(models.Model):
    name = models.CharField(max_length=100)
    integration = models.ForeignKey("integrations.Integration", on_delete=models.PROTECT,
                                    related_name="mapping_templates")
    case_type = models.ForeignKey("cases.CaseType", on_delete=models.PROTECT, related_name="mapping_templates",
                                  help_text="Whose fields, people and addresses fill the template.")
    channel = models.CharField("Type", max_length=20, choices=Channel.choices)
    # Empty for a letter from a case document: the PDF is the letter.
    notify_template_id = models.CharField("Notify template", max_length=36, blank=True)
    notify_template_name = models.CharField(max_length=200, blank=True)
    # The template version the mappings were last checked against (the drift check compares it).
    template_version = models.PositiveIntegerField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    # email/sms: a source, e.g. {"source": "person", "role": "Applicant"};
    # letter: {"person_role": "Applicant", "address": {"of": "case" | "person:<role>", "role": "Property"}}.
    recipient = models.JSONField(default=dict)
    email_reply_to_id = models.CharField(max_length=36, blank=True, help_text="Leave empty for the integration's default.")
    sms_sender_id = models.CharField(max_length=36, blank=True, help_text="Leave empty for the integration's default.")
    skip_failed_contacts = models.BooleanField(
        "Treat contact details Notify could not deliver to as missing", default=False,
        help_text="An email address or phone number that Notify reported as permanently failing is then not used: "
                  "the message fails at once, saying why, instead of failing again at Notify.")
    # A letter from a case document: which document (the latest of this type on the case) and its postage.
    document_type = models.CharField(max_length=100, blank=True,
                                     help_text="The case's latest document of this type is the letter.")
    postage = models.CharField(max_length=10, choices=Postage.choices, default=Postage.SECOND)
    # A case document sent by email (a placeholder filled by "a case document of type …"): Notify's options.
    file_confirm_email = models.BooleanField(
        "Ask for the recipient's email address before the file downloads", default=True,
        help_text="Notify advises this: only the person the email was sent to can then download the file.")
    file_retention_weeks = models.PositiveSmallIntegerField(
        "How long Notify keeps the file (weeks)", default=FILE_RETENTION_DEFAULT_WEEKS,
        validators=[MinValueValidator(1), MaxValueValidator(FILE_RETENTION_MAX_WEEKS)],
        help_text=f"From 1 to {FILE_RETENTION_MAX_WEEKS} weeks; the link stops working after that.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "name"], name="unique_mapping_name_per_integration")
        ]

    def __str__(self):
        return self.name

    @property
    def notify_channel(self):
        """The channel as Notify and the log know it: a letter from a case document is a letter."""
        return Channel.LETTER if self.channel == Channel.PRECOMPILED else self.channel

    def spec(self):
        """The plain-data spec that mappings.resolve works on (built once per loaded mapping template)."""
        if getattr(self, "_spec", None) is None:
            self._spec = self._build_spec()
        return self._spec

    def _build_spec(self):
        integration = self.integration
        return {
            "channel": self.channel,
            "template_id": self.notify_template_id,
            "template_version": self.template_version,
            "recipient": self.recipient,
            "skip_failed_contacts": self.skip_failed_contacts,
            "placeholders": [
                {"placeholder": p.placeholder, "source": p.source, "optional": p.optional,
                 "citizen_text": p.citizen_text}
                for p in self.placeholders.all()
            ],
            "document_type": self.document_type,
            "postage": self.postage,
            "file_options": {"confirm_email_before_download": self.file_confirm_email,
                             "retention_period": f"{self.file_retention_weeks} weeks"},
            "email_reply_to_id": self.email_reply_to_id or getattr(integration, "reply_to_id", "") or None,
            "sms_sender_id": self.sms_sender_id or getattr(integration, "sms_sender_id", "") or None,
        }


class PlaceholderMapping(models.Model):
    mapping_template = models.ForeignKey(MappingTemplate, on_delete=models.CASCADE, related_name="placeholders")
    placeholder = models.CharField(max_length=100)
    # e.g. {"source": "field", "key": "fee"}; see mappings.sources for every kind.
    source = models.JSONField(default=dict)
    optional = models.BooleanField(default=False, help_text="Send an empty value when the case has none.")
    citizen_text = models.BooleanField(
        default=False, help_text="The value was typed by a member of the public: ask Notify to sanitise it."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["mapping_template", "placeholder"], name="unique_placeholder_per_mapping")
        ]

    def __str__(self):
        return f"(({self.placeholder}))"
