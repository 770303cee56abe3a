"""The permission matrix: for every URL pattern, what each role gets.

Each module in this package holds a MATRIX dict for one part of the product:

    MATRIX = {
        "cases:case_detail": Entry(kwargs={"pk": "case"}, get=PAGE_CASEWORK),
        "api:case-list": Entry(get=API_CASEWORK_READ, post=API_ADMIN_WRITE),
    }

- The key is the URL name with its namespace.
- `kwargs` maps URL arguments to attributes of the `world` fixture (one object of each kind), so
  {"pk": "case"} means pk=world.case.pk.
- `get` and optionally `post` (an empty JSON/form body) map each role to the status code it must get.
  A role allowed to write gets 400 (or 200/201/302) for an empty POST; what matters is that a role
  that must not write gets 403 and anonymous gets 302 (pages) or 401 (API).

test_matrix.py walks every URL pattern of the project and fails when one is missing here.
"""

import importlib
import pkgutil
from dataclasses import dataclass, field

ROLES = ("anonymous", "admin", "caseworker", "auditor")


@dataclass(frozen=True)
class Entry:
    get: dict
    post: dict | None = None
    kwargs: dict = field(default_factory=dict)


def expect(anonymous, admin, caseworker, auditor):
    return {"anonymous": anonymous, "admin": admin, "caseworker": caseworker, "auditor": auditor}


LOGIN = 302  # pages send anonymous users to the sign-in page
# Common rows.
PAGE_ANYONE_SIGNED_IN = expect(LOGIN, 200, 200, 200)
PAGE_CASEWORK = expect(LOGIN, 200, 200, 403)
PAGE_ADMIN = expect(LOGIN, 200, 403, 403)
PAGE_AUDIT = expect(LOGIN, 200, 403, 200)
API_CASEWORK_READ = expect(401, 200, 200, 403)
API_ADMIN = expect(401, 200, 403, 403)
API_AUDIT = expect(401, 200, 403, 200)


def all_entries():
    """Every module's MATRIX merged into one dict; a URL name in two modules is an error."""
    merged = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("test"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for name, entry in getattr(module, "MATRIX", {}).items():
            assert name not in merged, f"{name} is in the permission matrix twice"
            merged[name] = entry
    return merged
