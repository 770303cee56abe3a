"""Walk every URL pattern of the project as each role and check the status against the matrix."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from knox.models import AuthToken

from tests import factories

from . import ROLES, all_entries

SKIPPED_PATTERNS = {
    # DRF's format-suffix variants (e.g. /api/cases.json) repeat their base pattern.
    "format_suffix",
}


def url_names(resolver=None, namespace=""):
    """Every named URL pattern, with its namespace, as 'ns:name'."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                raise AssertionError(f"URL pattern {pattern.pattern} has no name; name it and add it to the matrix")
            if "format" not in pattern.pattern.regex.groupindex:
                names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix():
    missing = sorted(url_names() - set(all_entries()))
    stale = sorted(set(all_entries()) - url_names())
    assert missing == [], f"URLs not in the permission matrix: {missing}"
    assert stale == [], f"The permission matrix names URLs that do not exist: {stale}"


@pytest.fixture
def world(db):
    """One object of each kind, for URL arguments, plus a user per role."""

    class World:
        pass

    w = World()
    w.case_type = factories.planning_case_type()
    w.field = w.case_type.fields.first()
    w.status = w.case_type.statuses.first()
    w.person = factories.PersonFactory()
    w.address = factories.AddressFactory()
    w.case = factories.make_case(w.case_type, field_values={w.field.key: "A value"},
                                 people=[(w.person, "Applicant")], addresses=[(w.address, "Property")])
    w.case_person = w.case.person_links.get()
    w.case_address = w.case.address_links.get()
    w.users = {
        "anonymous": None,
        "admin": factories.admin_user(),
        "caseworker": factories.caseworker_user(),
        "auditor": factories.auditor_user(),
    }

    def refresh_links():
        # A POST that removes a link must find one again for the next role.
        w.case_person = w.case.person_links.first() or w.case.person_links.create(person=w.person, role="Applicant")
        w.case_address = w.case.address_links.first() or w.case.address_links.create(address=w.address, role="Property")

    w.refresh_links = refresh_links
    for extend in WORLD_EXTENSIONS:
        extend(w)
    return w


# Later parts of the product add their objects to the world (an integration, a log entry...).
WORLD_EXTENSIONS = []


def request(client, method, url, name):
    if method == "get":
        return client.get(url)
    if name.startswith("api:"):
        return client.post(url, {}, content_type="application/json")
    return client.post(url, {})


@pytest.mark.parametrize(("name", "entry"), sorted(all_entries().items()))
def test_each_role_gets_what_the_matrix_says(client, world, name, entry):
    results, expected, tokens = {}, {}, {}
    for method in ("get", "post"):
        row = getattr(entry, method)
        if row is None:
            continue
        for role in ROLES:
            world.refresh_links()
            url = reverse(name, kwargs={arg: getattr(world, attr).pk for arg, attr in entry.kwargs.items()})
            client.logout()
            headers = {}
            user = world.users[role]
            if user is not None:
                if name.startswith("api:"):
                    if user.pk not in tokens:
                        tokens[user.pk] = AuthToken.objects.create(user=user)[1]
                    headers["HTTP_AUTHORIZATION"] = f"Token {tokens[user.pk]}"
                else:
                    client.force_login(user)
            client.defaults.update(headers)
            response = request(client, method, url, name)
            client.defaults.pop("HTTP_AUTHORIZATION", None)
            results[f"{method} {role}"] = response.status_code
            expected[f"{method} {role}"] = row[role]
    assert results == expected, name
