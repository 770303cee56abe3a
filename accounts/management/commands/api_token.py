"""API tokens for scripts and other systems (django-rest-knox: stored hashed, each with an expiry).

    manage.py api_token create USERNAME [--days N]   prints the new token, once
    manage.py api_token list USERNAME                 each token's start, creation and expiry
    manage.py api_token revoke USERNAME [--start ABC] revokes one token (by its first characters) or all of them
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from knox.models import AuthToken


class Command(BaseCommand):
    help = "Create, list and revoke a user's API tokens (stored hashed, with an expiry)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None, help="Days until it expires (default API_TOKEN_DAYS)")
        parser.add_argument("--start", default="", help="revoke: only the token that starts with these characters")

    def handle(self, *args, action, username, days, start, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username}")
        if action == "create":
            expiry = datetime.timedelta(days=days) if days else None
            instance, token = AuthToken.objects.create(user=user, expiry=expiry) if expiry else \
                AuthToken.objects.create(user=user)
            self.stdout.write(token)
            self.stderr.write(f"Expires {instance.expiry:%d %B %Y %H:%M} UTC. It is shown only now: keep it safe.")
            return
        tokens = AuthToken.objects.filter(user=user)
        if action == "list":
            for token in tokens.order_by("created"):
                state = "expired" if token.expiry and token.expiry < timezone.now() else "valid"
                self.stdout.write(f"{token.token_key}…  created {token.created:%d %b %Y}  "
                                  f"expires {token.expiry:%d %b %Y}  {state}")
            return
        if start:
            tokens = tokens.filter(token_key__startswith=start)
        count, _ = tokens.delete()
        self.stdout.write(f"Revoked {count} token{'s' if count != 1 else ''} of {username}")
