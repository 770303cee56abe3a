import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils import timezone

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
    within django-axes' cool-off (axes itself locks a username at one address after AXES_FAILURE_LIMIT)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        if failures_from_address(request.META.get("REMOTE_ADDR", "")) >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return render(request, "accounts/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)


def failures_from_address(address):
    """Failed sign-ins from this address within the cool-off, over every username tried (axes' records)."""
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start"))["n"]
    return total or 0
