"""Pages and endpoints of the project itself: home, sign-in, the API schema and docs."""

from . import PAGE_ANYONE_SIGNED_IN, Entry, expect

MATRIX = {
    "home": Entry(get=expect(302, 302, 302, 302)),  # everyone is sent on to their work
    "accounts:login": Entry(get=expect(200, 200, 200, 200)),
    # Logging out is a POST; a GET is not allowed.
    "accounts:logout": Entry(get=expect(405, 405, 405, 405), post=expect(302, 302, 302, 302)),
    # Two-factor sign-in: any signed-in user may set up an app (administrators must); with no app set up, the code
    # page sends them to set one up. An empty POST re-renders the form with its error.
    "accounts:two_factor_setup": Entry(get=expect(302, 200, 200, 200), post=expect(302, 200, 200, 200)),
    "accounts:two_factor_verify": Entry(get=expect(302, 302, 302, 302), post=expect(302, 302, 302, 302)),
    # Single sign-on is off in the matrix's world (no OIDC_ISSUER): its start and callback are 404; the refusal page
    # says why to anyone (403).
    "accounts:sso": Entry(get=expect(404, 404, 404, 404)),
    "accounts:sso_callback": Entry(get=expect(404, 404, 404, 404)),
    "accounts:sso_refused": Entry(get=expect(403, 403, 403, 403)),
    "api:schema": Entry(get=expect(200, 200, 200, 200)),
    "api:docs": Entry(get=expect(200, 200, 200, 200)),
    # The API root only lists the endpoints; each endpoint checks the role.
    "api:api-root": Entry(get=expect(401, 200, 200, 200)),
}

# PAGE_ANYONE_SIGNED_IN is imported for modules that copy this one as an example.
__all__ = ["MATRIX", "PAGE_ANYONE_SIGNED_IN"]
