"""Settings for `make run` on a developer's or evaluator's machine: embedded defaults, demo mode."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DEMO_MODE", "true")
# Development-only defaults; production refuses to start without real values.
os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "bG9jYWwtZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWNyZXQ=")
# The demo reads Notify's lists every 30 seconds, so a letter's status and a reply whose callback was lost show
# soon (a real service reads every 5 minutes).
os.environ.setdefault("DELIVERY_POLL_SECONDS", "30")
os.environ.setdefault("RECEIVED_TEXT_POLL_SECONDS", "30")

from .base import *  # noqa: F403

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The demo's Notify sandbox runs on this machine's loopback address.
NOTIFY_ALLOW_LOOPBACK = True
