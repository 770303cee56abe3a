"""Administrators' pages for Notify integrations: General, References, Mapping templates and Log tabs."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.decorators import page_permission_required

from .delivery.tokens import callback_urls, last_callback_at, make_callback_tokens
from .forms import IntegrationForm
from .models import KEY_TYPE_MEANING, Integration, KeyType
from .notify.errors import NotifyError
from .services import IntegrationNotVerified, integration_check, integration_save, templates_refresh

admin_only = page_permission_required("integrations.change_integration")


def _tab(request, integration, tab, template, **context):
    return render(request, f"integrations/{template}.html", {"integration": integration, "tab": tab, **context})


@admin_only
def integration_list(request):
    return render(request, "integrations/list.html", {"integrations": Integration.objects.all()})


@admin_only
@sensitive_post_parameters("api_key")
def integration_general(request, pk=None):
    stored = get_object_or_404(Integration, pk=pk) if pk else None
    # The form works on a copy: a failed check must leave the stored settings exactly as they were.
    working = get_object_or_404(Integration, pk=pk) if pk else Integration()
    form = IntegrationForm(request.POST or None, instance=working)
    if request.method == "POST" and form.is_valid():
        try:
            integration = integration_save(integration=form.apply(), new_key=form.cleaned_data.get("api_key"))
        except IntegrationNotVerified as failure:
            custom = form.cleaned_data.get("service") == "custom"
            target = {"api_key": "api_key", "base_url": "custom_url" if custom else "service"}.get(failure.field)
            form.add_error(target, failure.reason)
        except ValueError as error:
            form.add_error("api_key", str(error))
        else:
            verb = "saved and verified with Notify" if integration.enabled else "saved (not enabled, so not checked)"
            messages.success(request, f"{integration.name} {verb}")
            return redirect("integrations:general", pk=integration.pk)
    key_kinds = [(KeyType(kind).label, meaning) for kind, meaning in KEY_TYPE_MEANING.items()]
    return _tab(request, stored, "general", "general", form=form, key_kinds=key_kinds)


@admin_only
@require_POST
def integration_test(request, pk):
    integration = get_object_or_404(Integration, pk=pk)
    try:
        verified = integration_check(integration=integration)
    except IntegrationNotVerified as failure:
        messages.error(request, f"Connection failed: {failure.reason}")
    else:
        messages.success(request, f"Connected and verified: {verified.description}")
    return redirect("integrations:general", pk=pk)


@admin_only
def integration_references(request, pk):
    return _tab(request, get_object_or_404(Integration, pk=pk), "references", "references")


@admin_only
def integration_templates(request, pk):
    integration = get_object_or_404(Integration, pk=pk)
    if request.method == "POST":
        try:
            if not integration.has_key:
                raise NotifyError("No API key is set: enter one on the General tab")
            found = templates_refresh(integration=integration)
        except NotifyError as error:
            messages.error(request, f"Could not fetch the templates: {error.reason}")
        else:
            messages.success(request, f"{len(found)} templates fetched from Notify")
        return redirect("integrations:templates", pk=pk)
    return _tab(request, integration, "templates", "templates", templates=integration.notify_templates.all())


@admin_only
def integration_mappings(request, pk):
    integration = get_object_or_404(Integration, pk=pk)
    return _tab(request, integration, "mappings", "mappings", mappings=integration.mapping_templates.select_related("case_type")
                .prefetch_related("placeholders"))


@admin_only
def integration_callbacks(request, pk):
    """The addresses and tokens to paste into Notify; POST makes new tokens and shows them this once."""
    integration = get_object_or_404(Integration, pk=pk)
    if request.method == "POST":
        # Shown on the page the browser is sent to, once: reloading that page cannot make tokens again.
        request.session[f"callback-tokens-{integration.pk}"] = make_callback_tokens(integration)
        messages.success(request, "New callback tokens made. Copy them into Notify now: they are not shown again, "
                                  "and the old tokens no longer work.")
        return redirect("integrations:callbacks", pk=integration.pk)
    tokens = request.session.pop(f"callback-tokens-{integration.pk}", None)
    urls = callback_urls(integration, request)
    return _tab(request, integration, "callbacks", "callbacks", tokens=tokens, urls=urls,
                https=all(url.startswith("https://") for url in urls.values()),
                last_callback_at=last_callback_at(integration))


@admin_only
def integration_log(request, pk):
    integration = get_object_or_404(Integration, pk=pk)
    entries = integration.log.select_related("case")[:50]
    return _tab(request, integration, "log", "log", entries=entries)
