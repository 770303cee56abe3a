from django.db import models


class Heartbeat(models.Model):
    """When a background part last showed it works: "worker" (a worker consumed the heartbeat task), "sweeper"
    (the outbox sweeper, which beat schedules, ran)."""

    name = models.CharField(max_length=30, primary_key=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
