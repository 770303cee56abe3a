"""Rules: when a case event or date comes, and the case meets the conditions, apply mapping templates."""

from django.db import models
from simple_history.models import HistoricalRecords


class Trigger(models.TextChoices):
    CASE_CREATED = "case_created", "Case created"
    CASE_UPDATED = "case_updated", "Case updated"
    STATUS_CHANGED = "status_changed", "Status changed"
    FIELD_CHANGED = "field_changed", "Field changed"
    DATE_REACHED = "date_reached", "Date reached"
    TIME_IN_STATUS = "time_in_status", "Time in status"
    DELIVERY_STATUS = "delivery_status", "A message's delivery status became…"
    TEXT_RECEIVED = "text_received", "A text message was received on the case"
    DOCUMENT_ADDED = "document_added", "A document was added to the case"


class ConditionMode(models.TextChoices):
    ALL = "all", "All conditions are met"
    ANY = "any", "Any condition is met"


class Rule(models.Model):
    name = models.CharField(max_length=200)
    case_type = models.ForeignKey("cases.CaseType", on_delete=models.CASCADE, related_name="rules")
    enabled = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    # status_changed: {"from": name?, "to": name?}; field_changed: {"field": key, "to": value?};
    # date_reached: {"date": "due"|"created"|"updated"|"closed"|<date field key>, "offset_days": int};
    # time_in_status: {"status": name, "days": int};
    # delivery_status: {"status": a Notify status word, or "failed" (any failure) or "delivered" (any delivery),
    #                   "channel": ""|email|sms|letter, "mapping_template": id|"", "rule": id|""};
    # text_received: {"test": ""|"starts_with"|"contains"|"equals", "word": text} (case-insensitive, trimmed);
    # document_added: {"document_type": a document type of the case type}.
    trigger_config = models.JSONField(default=dict, blank=True)
    condition_mode = models.CharField(max_length=3, choices=ConditionMode.choices, default=ConditionMode.ALL)
    # The "Update the case" action, done before the messages are sent: a list of
    # {"set": "status", "to": name} | {"set": "field", "key": key, "to": value} |
    # {"set": "consent", "role": role, "channel": email|sms|letter, "to": true|false}.
    case_update = models.JSONField(default=list, blank=True)
    # A list of conditions, see rules.conditions.
    conditions = models.JSONField(default=list, blank=True)
    send_once = models.BooleanField(
        "Send at most once per case", default=True,
        help_text="Leave on so that repeated updates to a case never send the same message again.",
    )
    manual = models.BooleanField(
        "Caseworkers can run it on a case", default=False,
        help_text="Shows the rule under 'Run rules' on the case page (not for rules on delivery statuses or replies, "
                  "which act only when those come).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["case_type", "order", "id"]
        permissions = [("run_rules", "Can run rules on a case")]

    def __str__(self):
        return self.name

    def trigger_words(self):
        """The trigger and its settings as a sentence, for lists: "Status changed to Decision issued"."""
        config = self.trigger_config or {}
        words = TRIGGER_WORDS.get(self.trigger)
        return words(config) if words else self.get_trigger_display()


def _delivery_words(config):
    words = f"A message's delivery status became {DELIVERY_WORDS.get(config.get('status'), config.get('status'))}"
    if config.get("channel"):
        words += f", for a{'n' if config['channel'] == 'email' else ''} {CHANNEL_WORDS.get(config['channel'])}"
    return words


def _reply_words(config):
    if not config.get("test") or not config.get("word"):
        return "Any text message received on the case"
    test = {"starts_with": "starts with", "contains": "contains", "equals": "is exactly"}.get(config["test"])
    return f"A text message received on the case {test} “{config['word']}”"


def _status_words(config):
    parts = [f"from {config['from']}" if config.get("from") else "", f"to {config['to']}" if config.get("to") else ""]
    return " ".join(["Status changed", *filter(None, parts)])


CHANNEL_WORDS = {"email": "email", "sms": "text message", "letter": "letter"}
DELIVERY_WORDS = {"failed": "any failure", "delivered": "delivered"}
TRIGGER_WORDS = {
    Trigger.STATUS_CHANGED: _status_words,
    Trigger.FIELD_CHANGED: lambda c: f"Field “{c.get('field')}” changed" + (f" to {c['to']}" if c.get("to") else ""),
    Trigger.DATE_REACHED: lambda c: f"Date “{c.get('date')}” reached" + (
        f", {c['offset_days']:+d} days" if c.get("offset_days") else ""),
    Trigger.TIME_IN_STATUS: lambda c: f"{c.get('days')} days in the status {c.get('status')}",
    Trigger.DELIVERY_STATUS: _delivery_words,
    Trigger.TEXT_RECEIVED: _reply_words,
    Trigger.DOCUMENT_ADDED: lambda c: f"A document of type “{c.get('document_type')}” was added to the case",
}


class Action(models.Model):
    """Apply integration: resolve a mapping template for the case and hand the message to the outbox."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="actions")
    mapping_template = models.ForeignKey("mappings.MappingTemplate", on_delete=models.PROTECT,
                                         related_name="actions")
    order = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "order", "id"]

    def __str__(self):
        return f"Apply {self.mapping_template}"


class RuleRun(models.Model):
    """A rule applied to a case: the run-once guard (one row per rule and case) and its history."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="rule_runs")
    first_run_at = models.DateTimeField(auto_now_add=True)
    last_run_at = models.DateTimeField(auto_now=True)
    runs = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "case"], name="one_run_row_per_rule_and_case")]

    def __str__(self):
        return f"{self.rule_id} on {self.case_id}"


class DateFiring(models.Model):
    """A date rule fired for a case and a date value: never again for the same value."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="date_firings")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="date_firings")
    date_value = models.DateField()
    fired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "case", "date_value"], name="one_firing_per_rule_case_date")
        ]

    def __str__(self):
        return f"{self.rule_id} on {self.case_id} for {self.date_value}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class BulkJob(models.Model):
    """Applying a rule to every existing case of its type, in chunks, in the background."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="bulk_jobs")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0, help_text="Cases the rule applied to (messages queued or recorded).")
    failed = models.PositiveIntegerField(default=0, help_text="Cases where the rule raised an error.")
    queued = models.PositiveIntegerField(default=0, help_text="Messages built and queued to send.")
    not_built = models.PositiveIntegerField(default=0, help_text="Messages that could not be built (failed at once).")
    skipped = models.PositiveIntegerField(default=0, help_text="Cases not sent to: conditions not met, or already sent.")
    # Cases are taken in id order; the job resumes after this id if its worker stops.
    last_case_id = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Moves with every chunk; a running job whose heartbeat stops lost its worker and is resumed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resumed = models.PositiveIntegerField(default=0, help_text="Times the job was resumed after its worker stopped.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.rule} ({self.status}, {self.done}/{self.total})"

    @property
    def percent(self):
        return 100 if not self.total else min(100, round(100 * self.done / self.total))

    @property
    def finished(self):
        return self.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)
