"""/healthz, /readyz and /metrics: for load balancers, orchestrators and Prometheus. No session, no sign-in;
/metrics needs METRICS_TOKEN (as a bearer token) and is off without it."""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .checks import readiness
from .metrics import exposition


@never_cache
@require_GET
def healthz(request):
    """The process answers (nothing else is checked: a restart would not fix a database outage)."""
    return JsonResponse({"status": "ok"})


class HealthzMiddleware:
    """First of the middleware: GET /healthz is answered here, whatever the Host header or the scheme."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)


@never_cache
@require_GET
def readyz(request):
    """Each check with its result; 503 when any fails, so the service is taken out of rotation and alerts fire."""
    ok, checks = readiness()
    return JsonResponse({"status": "ok" if ok else "failing", "checks": checks}, status=200 if ok else 503)


@never_cache
@require_GET
def metrics(request):
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        raise Http404("Metrics are off: set METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return HttpResponse("A valid bearer token is needed\n", status=401, content_type="text/plain",
                            headers={"WWW-Authenticate": "Bearer"})
    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
