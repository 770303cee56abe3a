"""The case domain: case types with their fields and statuses, cases, people, addresses and events."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$",
    "Use lower-case letters, digits and underscores, starting with a letter (for example decision_date).",
)


class FieldKind(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Yes or no"
    CHOICE = "choice", "Choice from a list"
    EMAIL = "email", "Email address"
    PHONE = "phone", "Phone number"


class CaseType(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, max_length=2_000)
    reference_prefix = models.CharField(
        max_length=6,
        validators=[RegexValidator(r"^[A-Z]{1,6}$", "Use 1 to 6 capital letters, for example PA.")],
        help_text="Starts every case reference, for example PA gives PA-2026-000001.",
    )
    person_roles = models.JSONField(default=list, blank=True, help_text="Roles people can have on a case.")
    address_roles = models.JSONField(default=list, blank=True, help_text="Roles addresses can have.")
    document_types = models.JSONField(default=list, blank=True,
                                      help_text="Kinds of document caseworkers add to a case, e.g. Decision notice.")
    created_at = models.DateTimeField(auto_now_add=True)
    # Who changed it, when, and each field before and after (governance/): django-simple-history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class FieldDefinition(models.Model):
    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="fields")
    key = models.CharField(max_length=50, validators=[key_validator])
    label = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True, help_text="The options of a choice field.")
    help_text = models.CharField(max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case_type", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["case_type", "key"], name="unique_field_key_per_type")]

    def __str__(self):
        return f"{self.label} ({self.key})"


class Status(models.Model):
    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=60)
    order = models.PositiveIntegerField(default=0)
    is_initial = models.BooleanField(default=False, help_text="New cases start in this status.")
    is_closed = models.BooleanField(default=False, help_text="Moving a case here closes it.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["case_type", "order", "id"]
        verbose_name_plural = "statuses"
        constraints = [
            models.UniqueConstraint(fields=["case_type", "name"], name="unique_status_name_per_type"),
            models.UniqueConstraint(
                fields=["case_type"], condition=Q(is_initial=True), name="one_initial_status_per_type"
            ),
        ]

    def __str__(self):
        return self.name


class Address(models.Model):
    line_1 = models.CharField("Address line 1", max_length=100)
    line_2 = models.CharField("Address line 2", max_length=100, blank=True)
    line_3 = models.CharField("Address line 3", max_length=100, blank=True)
    line_4 = models.CharField("Address line 4", max_length=100, blank=True)
    town = models.CharField("Town or city", max_length=60, blank=True)
    county = models.CharField(max_length=60, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    country = models.CharField(max_length=60, blank=True, default="United Kingdom")

    class Meta:
        verbose_name_plural = "addresses"
        indexes = [models.Index(fields=["postcode"])]

    def __str__(self):
        return ", ".join(self.lines())

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        self._not_checked = set(exclude or ())  # fields a form already found wrong: clean() adds nothing to them
        super().full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_constraints)

    def clean(self):
        from .validation import is_uk, normalise_postcode

        if is_uk(self.country) and "postcode" not in getattr(self, "_not_checked", ()):
            if not self.postcode.strip():
                raise ValidationError({"postcode": "Enter a postcode"})
            try:
                self.postcode = normalise_postcode(self.postcode)
            except ValidationError as error:
                raise ValidationError({"postcode": error.messages}) from None

    def lines(self):
        """The address as non-empty lines, postcode last (country omitted for the UK)."""
        parts = [self.line_1, self.line_2, self.line_3, self.line_4, self.town, self.county]
        from .validation import is_uk

        if not is_uk(self.country):
            parts += [self.postcode, self.country]
        else:
            parts.append(self.postcode)
        return [p.strip() for p in parts if p and p.strip()]


class Person(models.Model):
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    consent_email = models.BooleanField("Agrees to contact by email", default=False)
    consent_sms = models.BooleanField("Agrees to contact by text message", default=False)
    consent_letter = models.BooleanField("Agrees to contact by letter", default=False)
    # Set when Notify reported a permanent failure to this address or number; cleared when it is changed.
    email_failed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_failed_reason = models.CharField(max_length=300, blank=True, editable=False)
    phone_failed_at = models.DateTimeField(null=True, blank=True, editable=False)
    phone_failed_reason = models.CharField(max_length=300, blank=True, editable=False)
    # Set when the person was erased (governance.people): nothing is sent to them after.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    addresses = models.ManyToManyField(Address, through="PersonAddress", related_name="people")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        # Phone numbers are stored in E.164 form (Person.clean), so a reply's sender is found by equality.
        indexes = [models.Index(fields=["last_name", "first_name"]), models.Index(fields=["phone"], name="person_phone")]

    def __str__(self):
        return self.full_name

    def clean(self):
        from .validation import normalise_email, normalise_phone

        errors = {}
        for name, normalise in (("email", normalise_email), ("phone", normalise_phone)):
            value = getattr(self, name)
            if value:
                try:
                    setattr(self, name, normalise(value))
                except ValidationError as error:
                    errors[name] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def full_name(self):
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)


class PersonAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="address_links")
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="person_links")
    role = models.CharField(max_length=50, default="Correspondence")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "address", "role"], name="unique_person_address_role")
        ]

    def __str__(self):
        return f"{self.role}: {self.address}"


class Case(models.Model):
    reference = models.CharField(max_length=30, unique=True, editable=False)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases")
    status = models.ForeignKey(Status, on_delete=models.PROTECT, related_name="cases")
    summary = models.CharField(max_length=200, blank=True)
    field_values = models.JSONField(default=dict, blank=True)
    due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    people = models.ManyToManyField(Person, through="CasePerson", related_name="cases")
    addresses = models.ManyToManyField(Address, through="CaseAddress", related_name="cases")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case_type", "status"]),
            models.Index(fields=["-created_at", "-id"]),
        ]

    def __str__(self):
        return self.reference


class CasePerson(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="case_links")
    role = models.CharField(max_length=50)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person", "role"], name="unique_case_person_role")
        ]

    def __str__(self):
        return f"{self.role}: {self.person}"


class CaseAddress(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="address_links")
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="case_links")
    role = models.CharField(max_length=50)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "address", "role"], name="unique_case_address_role")
        ]

    def __str__(self):
        return f"{self.role}: {self.address}"


class EventKind(models.TextChoices):
    CREATED = "created", "Case created"
    UPDATED = "updated", "Case updated"
    STATUS_CHANGED = "status_changed", "Status changed"
    FIELD_CHANGED = "field_changed", "Field changed"
    DOCUMENT_ADDED = "document_added", "Document added"
    DOCUMENT_DELETED = "document_deleted", "Document deleted"


class CaseEvent(models.Model):
    """Something that happened to a case; written in the same transaction as the change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    # status_changed: {"from": name, "to": name}; field_changed: {"key", "old", "new"}.
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    # Set when a rule's "Update the case" action made the change: the rule is its author.
    rule_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.case_id} {self.kind}"
