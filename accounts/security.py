"""Request hardening that every response goes through.

- `TrustedProxyMiddleware` (first): the client's address and scheme come from the reverse proxy's headers only
  when the request comes from a proxy listed in TRUSTED_PROXIES. From anyone else those headers are dropped, so
  a client cannot claim HTTPS (and skip the redirect) or another address (and dodge the sign-in limits).
- `PrivateResponseMiddleware`: a response for a signed-in user is never stored by a browser or a shared cache
  (Cache-Control: no-store), and every response carries a Permissions-Policy that turns off browser features
  the product never uses.
"""

import ipaddress

from django.conf import settings
from django.utils.cache import patch_cache_control

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT",
             "HTTP_X_REAL_IP", "HTTP_FORWARDED")
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
                      "payment=(), usb=(), interest-cohort=()")


def trusted_proxies():
    return [ipaddress.ip_network(n.strip(), strict=False) for n in getattr(settings, "TRUSTED_PROXIES", []) if n.strip()]


def _is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _from_trusted_proxy(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = trusted_proxies()
        header = getattr(settings, "CLIENT_ADDRESS_HEADER", "X-Forwarded-For")
        self.client_header = "HTTP_" + header.upper().replace("-", "_")

    def __call__(self, request):
        meta = request.META
        if self.networks and _from_trusted_proxy(meta.get("REMOTE_ADDR", ""), self.networks):
            # Each proxy appends the address it saw. From the right, skip our own proxies: the first address that is
            # not one of them is the client as our outermost proxy saw it. Anything that is not an address is ignored.
            hops = [hop.strip() for hop in meta.get(self.client_header, "").split(",") if hop.strip()]
            for hop in reversed(hops):
                if not _is_address(hop):
                    break
                meta["REMOTE_ADDR"] = hop
                if not _from_trusted_proxy(hop, self.networks):
                    break
        else:
            for name in FORWARDED:
                meta.pop(name, None)
        return self.get_response(request)


class PrivateResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
