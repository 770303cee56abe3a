import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils import timezone

from . import sso
from .forms import LoginForm
from .roles import ADMINISTRATORS, AUDITORS, CASEWORKERS, user_roles


@login_required
def home(request):
    """Send each user to where their work starts."""
    held = user_roles(request.user)
    if CASEWORKERS in held or ADMINISTRATORS in held:
        return redirect("cases:case_list")
    if AUDITORS in held:
        return redirect("log:list")
    return render(request, "home.html")


class LoginView(auth_views.LoginView):
    """Django's sign-in, refused for an address that failed LOGIN_FAILURES_PER_ADDRESS times across any usernames
    within django-axes' cool-off (axes itself locks a username at one address after AXES_FAILURE_LIMIT). With single
    sign-on configured it offers "Sign in with …"; with local sign-in off, that is all it offers."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso": sso.enabled(),
                "sso_name": getattr(settings, "OIDC_PROVIDER_NAME", ""), "local": settings.LOCAL_LOGIN_ENABLED}

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_LOGIN_ENABLED:
            return render(request, "accounts/login.html", {
                "sso": sso.enabled(), "sso_name": settings.OIDC_PROVIDER_NAME, "local": False,
                "refused": "Signing in with a password is turned off here."}, status=403)
        if failures_from_address(request.META.get("REMOTE_ADDR", "")) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return render(request, "accounts/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    """Signing out; someone who signed in with the identity provider is then signed out there too."""

    def post(self, request, *args, **kwargs):
        provider_url = sso.provider_logout_url(request) if request.session.get(sso.SIGNED_IN_WITH) == "oidc" \
            and sso.enabled() else None
        response = super().post(request, *args, **kwargs)
        # The sign-out form's redirect leaves for the provider, which the Content-Security-Policy's form-action
        # allows when single sign-on is set up (config/settings/base.py).
        return redirect(provider_url) if provider_url else response


REFUSALS = {
    "unreachable": "The identity provider could not be reached just now. Try again in a few minutes.",
    "local_account": "An account with a password already uses this email address here. Ask an administrator to "
                     "remove its password (or the account) so that you can sign in with your organisation's account.",
    "email_unverified": "The identity provider has not confirmed your email address, which this service needs.",
    "no_group": "Your account is not in any of the groups this service gives roles to. Ask whoever manages your "
                "organisation's accounts to add you to the group for your role here.",
    "no_email": "Your account at the identity provider gave no email address, which this service needs to know "
                "who you are.",
}


def sso_refused(request):
    """Where single sign-on ends when it did not sign the person in, saying why when it is known."""
    reason = request.session.pop(sso.REFUSED, "")
    return render(request, "accounts/sso_refused.html", {
        "reason": REFUSALS.get(reason, "The identity provider's answer could not be accepted (it may have expired, or "
                                       "not come from the provider). Try signing in again."),
        "sso_name": getattr(settings, "OIDC_PROVIDER_NAME", "")}, status=403)


def failures_from_address(address):
    """Failed sign-ins from this address within the cool-off, over every username tried (axes' records)."""
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start"))["n"]
    return total or 0
