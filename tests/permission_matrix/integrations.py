"""Notify integration settings: administrators only, pages and API."""

from types import SimpleNamespace

from integrations.models import Integration

from . import API_ADMIN, PAGE_ADMIN, Entry, expect
from .test_matrix import WORLD_EXTENSIONS


def add_integration(world):
    # No key and not enabled: nothing in the matrix reaches the network.
    world.integration = Integration.objects.create(name="Matrix", base_url="http://127.0.0.1:9")
    # Notify's callback addresses name the integration by its callback id, not its primary key.
    world.callback = SimpleNamespace(pk=world.integration.callback_id)


WORLD_EXTENSIONS.append(add_integration)
ONE = {"pk": "integration"}
ADMIN_FORM = expect(302, 200, 403, 403)  # an empty form re-rendered with its errors
ADMIN_ACTION = expect(302, 302, 403, 403)  # done, then back to the tab with a message

MATRIX = {
    "integrations:list": Entry(get=PAGE_ADMIN),
    "integrations:create": Entry(get=PAGE_ADMIN, post=ADMIN_FORM),
    "integrations:general": Entry(get=PAGE_ADMIN, post=ADMIN_FORM, kwargs=ONE),
    "integrations:test": Entry(get=expect(302, 405, 403, 403), post=ADMIN_ACTION, kwargs=ONE),
    "integrations:references": Entry(get=PAGE_ADMIN, kwargs=ONE),
    "integrations:templates": Entry(get=PAGE_ADMIN, post=ADMIN_ACTION, kwargs=ONE),
    "integrations:mappings": Entry(get=PAGE_ADMIN, kwargs=ONE),
    "integrations:log": Entry(get=PAGE_ADMIN, kwargs=ONE),
    # POST makes new tokens, then shows them once on the page it redirects to.
    "integrations:callbacks": Entry(get=PAGE_ADMIN, post=ADMIN_ACTION, kwargs=ONE),
    "api:integration-callback-tokens": Entry(get=expect(401, 405, 403, 403), post=expect(401, 201, 403, 403),
                                             kwargs=ONE),
    # Notify's callback: no session counts, only the integration's bearer token (none here).
    "notify_callbacks:delivery_status": Entry(get=expect(405, 405, 405, 405), post=expect(401, 401, 401, 401),
                                              kwargs={"callback_id": "callback"}),
    "api:integration-list": Entry(get=API_ADMIN, post=expect(401, 400, 403, 403)),
    "api:integration-detail": Entry(get=API_ADMIN, post=expect(401, 405, 403, 403), kwargs=ONE),
    "api:integration-verify": Entry(get=expect(401, 405, 403, 403), post=expect(401, 400, 403, 403), kwargs=ONE),
    "api:integration-notify-templates": Entry(get=API_ADMIN, post=expect(401, 405, 403, 403), kwargs=ONE),
}
