from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user as devices_for
from django_otp import login as otp_login
from django_otp import match_token

from .two_factor import (
    confirmed_device,
    new_recovery_codes,
    provisioning_uri,
    qr_svg,
    secret_words,
    setup_device,
)


class CodeForm(forms.Form):
    code = forms.CharField(label="Code", max_length=20, strip=True,
                           error_messages={"required": "Enter the code"},
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}))


def _throttled(devices):
    """After wrong codes each device makes the next try wait (django-otp's throttling): say so, with how long."""
    from django.utils import timezone

    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
            return f"Too many wrong codes: try again in {seconds} second{'s' if seconds != 1 else ''}"
    return None


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Connect an authenticator app: scan the QR code (or type the key), then enter the code it shows."""
    if confirmed_device(request.user):
        return redirect("accounts:two_factor_verify")
    device = setup_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        waiting = _throttled([device])
        if waiting:
            form.add_error("code", waiting)
        elif device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = new_recovery_codes(request.user)
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next(request)})
        else:
            form.add_error("code", "The code is not right: check the app shows this service, and the phone's clock")
    uri = provisioning_uri(device)
    return render(request, "accounts/two_factor_setup.html", {"form": form, "qr": qr_svg(uri),
                                                              "secret": secret_words(device), "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Enter the code from the authenticator app, or one of the recovery codes (each works once)."""
    if not confirmed_device(request.user):
        return redirect("accounts:two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        waiting = _throttled(devices_for(request.user))
        device = None if waiting else match_token(request.user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", waiting or "The code is not right, or was used already")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})
