"""Two-factor sign-in for administrators' local accounts (django-otp): an authenticator app's time-based codes
(TOTP), with ten recovery codes for a lost phone.

Required for administrators while local password sign-in is on (TWO_FACTOR_FOR_ADMINS, default on): until an
administrator's session is verified with a code, every page sends them to set it up (the first time) or to enter a
code, and the API answers 403 to their session. The demo's own users are exempt only under DEMO_MODE. API tokens
(made by an operator with `manage.py api_token`) are not sessions and are not asked for a code.
"""

import base64
import io
from urllib.parse import quote

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import ADMINISTRATORS, user_roles

DEMO_USERS = {"admin", "caseworker", "auditor"}
RECOVERY_CODES = 10
OPEN_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/accounts/sso/", "/static/", "/healthz", "/readyz", "/metrics",
              "/notify/callbacks/")


def required_for(user):
    if not getattr(settings, "TWO_FACTOR_FOR_ADMINS", True) or not getattr(settings, "LOCAL_LOGIN_ENABLED", True):
        return False
    if not user.is_authenticated:
        return False
    if settings.DEMO_MODE and user.get_username() in DEMO_USERS:
        return False
    return ADMINISTRATORS in user_roles(user)  # a superuser counts as one


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def setup_device(user):
    """The administrator's authenticator device being set up (made once, confirmed by its first code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def provisioning_uri(device):
    """The otpauth:// address an app reads from the QR code (django-otp's, with OTP_TOTP_ISSUER)."""
    return device.config_url


def secret_words(device):
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(text):
    """The URI as an inline SVG QR code (no image library needed)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode().split("?>", 1)[-1]


def new_recovery_codes(user):
    """Ten new single-use recovery codes (the old ones stop working); shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    for code in codes:
        device.token_set.create(token=code)
    return codes


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware: an administrator whose session is not verified goes to set up or enter a
    code before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        signed_in_with_provider = request.session.get("signed_in_with") == "oidc"  # its own two factors
        if (user.is_authenticated and not signed_in_with_provider and not request.path.startswith(OPEN_PATHS)
                and not user.is_verified() and required_for(user)):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor sign-in is needed: sign in again in the browser."},
                                    status=403)
            target = "accounts:two_factor_verify" if confirmed_device(user) else "accounts:two_factor_setup"
            return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)
