from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

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
