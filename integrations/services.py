"""Saving integrations: the key checked for shape, then verified against Notify before anything is saved.

If verification fails, nothing is written: the stored settings stay exactly as they were, and the
caller gets IntegrationNotVerified with a reason an administrator can act on.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from .models import Integration, NotifyTemplate
from .notify.addresses import check_base_url
from .notify.client import NotifyGateway, placeholders_of
from .notify.errors import NotifyError, is_key_refused, reason_for_admin

logger = logging.getLogger(__name__)


class IntegrationNotVerified(Exception):
    """Notify could not be reached with these settings; `field` says which setting is the likely cause."""

    def __init__(self, reason, field=None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


def normalise_base_url(url):
    """A Notify address the product may call, without a trailing slash; AddressRefused (a ValueError) otherwise
    (integrations.notify.addresses)."""
    return check_base_url(url)


@sensitive_variables("new_key")
def _gateway_for(integration, new_key):
    if new_key:
        return NotifyGateway(api_key=new_key.strip(), base_url=integration.base_url)
    return NotifyGateway(integration)


@sensitive_variables("new_key")
def integration_check(*, integration, new_key=None):
    """Connect to Notify with these settings (not saved) and return what it verified as."""
    if not new_key and not integration.has_key:
        raise IntegrationNotVerified("No API key is set: enter one on the General tab", "api_key")
    gateway = _gateway_for(integration, new_key)
    try:
        return gateway.verify()
    except NotifyError as error:
        field = "api_key" if is_key_refused(error) else (
            "base_url" if error.status_code is None else None)
        logger.info("Notify check failed for integration %s: %s", integration.pk, error.error_type or error.status_code,
                    extra={"integration_id": integration.pk})
        raise IntegrationNotVerified(reason_for_admin(error, gateway.host), field) from None


@sensitive_variables("new_key")
def integration_save(*, integration, new_key=None):
    """Save the integration (with a new key when given). Enabled: verified first, and nothing saved on failure.

    Returns the saved integration. Raises IntegrationNotVerified, or ValueError for a malformed key.
    """
    if not new_key and integration.pk and integration.has_key:
        stored = Integration.objects.filter(pk=integration.pk).values_list("base_url", flat=True).first()
        if stored is not None and stored != integration.base_url:
            # The stored key signs tokens only for the address it was entered for: a new address needs it again.
            raise IntegrationNotVerified("Enter the API key again to use it with a new service address: a key is "
                                         "only ever sent to the address it was entered for", "api_key")
    if new_key:
        integration.set_api_key(new_key)  # raises ValueError for a malformed key, before any network call
    if integration.enabled:
        if not integration.has_key:
            raise IntegrationNotVerified("Enter the API key: an enabled integration needs one", "api_key")
        verified = integration_check(integration=integration, new_key=new_key)
        integration.verified_at = timezone.now()
        integration.verified_service = verified.description
        integration.last_error = ""
    with transaction.atomic():
        integration.save()
    if integration.enabled:
        try:
            templates_refresh(integration=integration)
        except NotifyError:
            logger.warning("Could not fetch templates for integration %s", integration.pk)
    return integration


def template_cache_store(*, integration, template):
    """Keep one template as Notify returned it (id, name, type, version, subject, body, placeholders)."""
    cached, _ = NotifyTemplate.objects.update_or_create(
        integration=integration, notify_id=template["id"],
        defaults={"name": template.get("name") or "", "type": template.get("type") or "",
                  "version": template.get("version") or 1, "subject": template.get("subject") or "",
                  "body": template.get("body") or "", "placeholders": placeholders_of(template)},
    )
    return cached


def templates_refresh(*, integration):
    """Fetch the service's templates into the cache (added, changed and removed). Returns them."""
    fetched = NotifyGateway(integration).templates()
    with transaction.atomic():
        seen = []
        for template in fetched:
            template_cache_store(integration=integration, template=template)
            seen.append(template["id"])
        integration.notify_templates.exclude(notify_id__in=seen).delete()
    return list(integration.notify_templates.all())


def templates_refresh_all():
    """Refresh the cached templates of every enabled integration (beat, TEMPLATE_REFRESH_SECONDS), so a template
    changed in Notify shows on the mapping templates that no longer fit it before a send fails. One integration
    that cannot be reached does not stop the others. Returns how many were refreshed."""
    refreshed = 0
    for integration in Integration.objects.filter(enabled=True).exclude(api_key_encrypted=""):
        try:
            templates_refresh(integration=integration)
        except NotifyError as error:
            logger.warning("Could not refresh the templates of integration %s (%s)", integration.pk,
                           type(error).__name__, extra={"integration_id": integration.pk})
            continue
        refreshed += 1
    return refreshed


def integration_for_update(pk):
    """The stored integration, as it is in the database (forms change a copy)."""
    return Integration.objects.get(pk=pk)
