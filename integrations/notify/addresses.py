"""Which addresses the product will call as "Notify" (an administrator's base URL must not reach inside the
network: no server-side request forgery through the integration settings).

- The host must be a known Notify API (GOV.UK Notify, GC Notify, Notify.gov), or one the operator lists in
  NOTIFY_EXTRA_HOSTS. The local sandbox (127.0.0.1 / localhost, any port, plain http) is allowed only where
  NOTIFY_ALLOW_LOOPBACK is set: the demo and test settings.
- https only (http for the loopback sandbox), no user name or password in the address, no path, query or
  fragment, and the default port for a non-loopback host.
- Once resolved, every address of a non-loopback host must be public: private, loopback, link-local, reserved
  and multicast addresses are refused, so a listed name cannot be pointed at the inside of the network.
- Redirects are never followed (integrations.notify.client refuses them): Notify's API never redirects.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

KNOWN_HOSTS = {"api.notifications.service.gov.uk", "api.notification.canada.ca", "api.notify.gov"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}


class AddressRefused(ValueError):
    """An address the product will not call as Notify; the message says why, for the administrator."""


class AddressNotFound(AddressRefused):
    """The host did not resolve just now: perhaps a passing DNS failure, so a send tries again later."""


def allowed_hosts():
    extra = {host.strip().lower() for host in getattr(settings, "NOTIFY_EXTRA_HOSTS", []) if host.strip()}
    return KNOWN_HOSTS | extra | (LOOPBACK_HOSTS if loopback_allowed() else set())


def loopback_allowed():
    return bool(getattr(settings, "NOTIFY_ALLOW_LOOPBACK", False))


def is_known_host(url):
    """Whether the address is one whose answers may be shown to an administrator as Notify's."""
    return (urlsplit(url).hostname or "").lower() in allowed_hosts()


def check_base_url(url):
    """The address as the product stores it (no trailing slash), or AddressRefused saying why."""
    text = (url or "").strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise AddressRefused("Enter an address starting with https://")
    host = (parts.hostname or "").lower()
    loopback = host in LOOPBACK_HOSTS and loopback_allowed()
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise AddressRefused("Enter the address without a user name or password")
    if parts.path or parts.query or parts.fragment:
        raise AddressRefused("Enter only the service's address, like https://api.notifications.service.gov.uk")
    if host not in allowed_hosts():
        raise AddressRefused(f"{host or text} is not a Notify API address. Use GOV.UK Notify's, or ask the operator "
                             "to list this host in NOTIFY_EXTRA_HOSTS")
    if parts.scheme != "https" and not loopback:
        raise AddressRefused("Enter an address starting with https://")
    try:
        port = parts.port
    except ValueError:
        raise AddressRefused("Enter a port number between 1 and 65535") from None
    if port not in (None, 443) and not loopback:
        raise AddressRefused("Enter the address without a port: Notify's API answers on the standard one")
    return text


def check_resolves_publicly(url):
    """AddressRefused when a non-loopback host resolves to an address inside a network (or does not resolve)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in LOOPBACK_HOSTS and loopback_allowed():
        return
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
    except OSError:
        raise AddressNotFound(f"{host} could not be found: check the address") from None
    for address in found:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise AddressRefused(f"{host} resolves to an address inside a network ({ip}), which is not Notify")
