"""Heartbeats of the background parts, for /readyz: one row per part, the time it last worked."""

from django.utils import timezone

from .models import Heartbeat

WORKER, SWEEPER = "worker", "sweeper"


def beat(name):
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


def last(name):
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()
