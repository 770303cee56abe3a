"""PROVISIONAL Integration model for the pipeline branch; replaced by the settings issue's model at merge."""

from django.db import models

from .log import Attempt, LogEntry  # noqa: F401  (the log's models live in integrations/log.py)


class Integration(models.Model):
    name = models.CharField(max_length=100, unique=True)
    enabled = models.BooleanField(default=False)
    base_url = models.URLField(default="https://api.notifications.service.gov.uk")
    api_key = models.CharField(max_length=200, blank=True)
    rate_limit = models.PositiveIntegerField(default=3000)
    rate_window = models.PositiveIntegerField(default=60)

    def __str__(self):
        return self.name
