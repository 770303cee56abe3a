"""Top-level URLs: pages under /, the REST API under /api/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import home

api_patterns = [
    path("", include("config.api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file of its own (?script), so the CSP needs no exception.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", home, name="home"),
    path("", include("ops.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("cases.urls")),
    path("settings/integrations/", include("integrations.urls")),
    path("settings/integrations/<int:integration_pk>/mapping-templates/", include("mappings.urls")),
    path("log/", include("integrations.log_urls")),
    path("rules/", include("rules.urls")),
    path("texts/", include("inbox.urls")),
    path("", include("documents.urls")),
    path("", include("governance.urls")),
    # Notify's callbacks: no session, no CSRF; each checks its integration's own bearer token.
    path("notify/callbacks/", include("integrations.delivery.urls")),
    path("api/", include((api_patterns, "api"))),
]

# The API answers its errors in JSON; pages keep the service's own error pages.
handler400 = "config.api_errors.bad_request"
handler404 = "config.api_errors.not_found"
handler500 = "config.api_errors.server_error"
