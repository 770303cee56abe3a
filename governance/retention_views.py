from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import page_permission_required

from .forms import RetentionPolicyForm
from .models import RetentionPolicy, RetentionRun


@page_permission_required("governance.view_retentionpolicy")
@require_http_methods(["GET", "POST"])
def retention_policy_page(request):
    """Auditors read the policy; administrators change it (each change is in its history)."""
    policy = RetentionPolicy.current()
    can_change = request.user.has_perm("governance.change_retentionpolicy")
    if request.method == "POST" and not can_change:
        raise PermissionDenied("Only an administrator changes the retention policy")
    form = RetentionPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The retention policy is saved. It applies at the next daily run.")
        return redirect("governance:retention")
    return render(request, "governance/retention.html", {"form": form, "policy": policy, "can_change": can_change,
                                                         "last_run": RetentionRun.objects.first()})
