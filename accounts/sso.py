"""Single sign-on over OpenID Connect (mozilla-django-oidc; docs/decisions/0005-single-sign-on.md).

Configured by environment variables: OIDC_ISSUER (turns it on), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_SCOPES,
OIDC_PROVIDER_NAME ("Sign in with …"), OIDC_GROUPS_CLAIM and OIDC_ROLE_GROUPS (the identity provider's group names
mapped to the three roles). The provider's endpoints are read from its discovery document
(`{issuer}/.well-known/openid-configuration`), kept for an hour. A user's roles are set from their groups at every
sign-in; a user in no mapped group is refused with a page that says why. Users are matched by their email address.
"""

import logging
import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .roles import ROLES

logger = logging.getLogger(__name__)
DISCOVERED = {"OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint", "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
              "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint", "OIDC_OP_JWKS_ENDPOINT": "jwks_uri"}
_discovery = {}
SIGNED_IN_WITH = "signed_in_with"
REFUSED = "sso_refused"


def enabled():
    return bool(getattr(settings, "OIDC_ISSUER", ""))


class ProviderUnavailable(Exception):
    """The identity provider could not be reached (or answered as it should not)."""


def discovery():
    """The provider's discovery document, kept for an hour; a failure is kept for 30 seconds, so an outage costs one
    slow request, not one per page."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    kept = _discovery.get(issuer)
    if kept and kept[1] > time.monotonic():
        if isinstance(kept[0], ProviderUnavailable):
            raise kept[0]
        return kept[0]
    try:
        answer = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5)
        answer.raise_for_status()
        document = answer.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ValueError("its discovery document names another issuer")
    except (requests.RequestException, ValueError) as error:
        failure = ProviderUnavailable(f"{issuer} could not be read ({type(error).__name__})")
        _discovery[issuer] = (failure, time.monotonic() + 30)
        raise failure from None
    _discovery[issuer] = (document, time.monotonic() + 3600)
    return document


def oidc_setting(attr, *args):
    """mozilla-django-oidc's settings: ours by their names, the endpoints from discovery."""
    from mozilla_django_oidc.utils import import_from_settings

    if attr in DISCOVERED and enabled() and not getattr(settings, attr, None):
        return discovery()[DISCOVERED[attr]]
    return import_from_settings(attr, *args)


def mapped_roles(claims):
    """The roles a user's groups give, by OIDC_ROLE_GROUPS ({group name: role})."""
    groups = claims.get(getattr(settings, "OIDC_GROUPS_CLAIM", "groups")) or []
    if isinstance(groups, str):
        groups = [groups]
    mapping = getattr(settings, "OIDC_ROLE_GROUPS", {}) or {}
    return sorted({mapping[g] for g in groups if g in mapping and mapping[g] in ROLES})


class RoleMappingBackend(OIDCAuthenticationBackend):
    """Signs in a user the identity provider vouches for; their roles come from its groups claim, every time."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        """No call to the provider here: Django makes this backend for every request of a signed-in user (get_user)
        and for password sign-ins it then skips. The endpoints are read when a sign-in needs them."""
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = getattr(settings, "OIDC_RP_CLIENT_ID", "")
        self.OIDC_RP_CLIENT_SECRET = getattr(settings, "OIDC_RP_CLIENT_SECRET", "")
        self.OIDC_RP_SIGN_ALGO = getattr(settings, "OIDC_RP_SIGN_ALGO", "RS256")
        self.OIDC_RP_IDP_SIGN_KEY = getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None)

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_JWKS_ENDPOINT", None))

    def authenticate(self, request, **kwargs):
        if not enabled():
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None  # a deactivated user's session ends

    def verify_claims(self, claims):
        if not super().verify_claims(claims):
            self._refuse("no_email")
            return False
        if claims.get("email_verified") is False:  # the provider says it has not checked this address
            self._refuse("email_unverified")
            return False
        if not mapped_roles(claims):
            self._refuse("no_group")
            for user in self.filter_users_by_claims(claims):  # whatever roles they had are gone with the groups
                user.groups.remove(*Group.objects.filter(name__in=ROLES))
            return False
        return True

    def _refuse(self, why):
        if getattr(self, "request", None) is not None:
            self.request.session[REFUSED] = why

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip().lower()
        return self.UserModel.objects.filter(username__iexact=email) if email else self.UserModel.objects.none()

    def create_user(self, claims):
        email = claims["email"].strip().lower()
        user = self.UserModel.objects.create_user(username=email, email=email)
        user.set_unusable_password()  # signs in only through the identity provider
        user.save(update_fields=["password"])
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        """The roles as the groups claim says now: added and removed at each sign-in. An account made here with a
        password (or a superuser) is never taken over by the provider's word for its email address."""
        if user.has_usable_password() or user.is_superuser:
            self._refuse("local_account")
            raise SuspiciousOperation("A local account with a password has this email address")
        wanted = set(mapped_roles(claims))
        name = (claims.get("name") or "").strip()
        if name and user.first_name != name[:150]:
            user.first_name = name[:150]
            user.save(update_fields=["first_name"])
        current = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if current != wanted:
            user.groups.remove(*Group.objects.filter(name__in=current - wanted))
            user.groups.add(*Group.objects.filter(name__in=wanted - current))
            logger.info("Roles of user %s set from the identity provider: %s", user.pk, ", ".join(sorted(wanted)))
        return user


class SignInView(OIDCAuthenticationRequestView):
    """Off (404) until OIDC_ISSUER is set; the provider's address is read when someone signs in."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        View.__init__(self, *args, **kwargs)
        self.OIDC_RP_CLIENT_ID = getattr(settings, "OIDC_RP_CLIENT_ID", "")

    OIDC_OP_AUTH_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("Single sign-on is not set up here")
        try:
            return super().dispatch(request, *args, **kwargs)
        except ProviderUnavailable:
            request.session[REFUSED] = "unreachable"
            return redirect("accounts:sso_refused")


class CallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("Single sign-on is not set up here")
        try:
            return super().dispatch(request, *args, **kwargs)
        except (ProviderUnavailable, requests.RequestException):
            request.session[REFUSED] = "unreachable"
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        self.request.session[SIGNED_IN_WITH] = "oidc"  # two-factor sign-in is the identity provider's
        return response

    @property
    def failure_url(self):
        return reverse("accounts:sso_refused")


def provider_logout_url(request):
    """Where to send a user who signed in with the identity provider when they sign out: its end-session address
    (RP-initiated logout), back to the sign-in page after."""
    try:
        end = discovery().get("end_session_endpoint")
    except ProviderUnavailable:
        return None  # signed out here; the provider's own session ends when it ends
    if not end:
        return None
    params = {"post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
              "client_id": settings.OIDC_RP_CLIENT_ID}
    if request.session.get("oidc_id_token"):
        params["id_token_hint"] = request.session["oidc_id_token"]
    return f"{end}?{urlencode(params)}"
