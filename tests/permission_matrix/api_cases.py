"""The case domain's API: case types (admins write), cases, people and addresses (caseworkers write)."""

from . import API_CASEWORK_READ, Entry, expect

CASE = {"pk": "case"}
NOT_ALLOWED = expect(401, 405, 405, 403)  # a method the endpoint does not take, for those who may use it
# An empty POST: 400 (the body is checked) for those who may write.
CASEWORK_WRITE = expect(401, 400, 400, 403)
ADMIN_WRITE = expect(401, 400, 403, 403)

MATRIX = {
    "api:casetype-list": Entry(get=API_CASEWORK_READ, post=ADMIN_WRITE),
    "api:casetype-detail": Entry(get=API_CASEWORK_READ, post=expect(401, 405, 403, 403), kwargs={"pk": "case_type"}),
    "api:case-list": Entry(get=API_CASEWORK_READ, post=CASEWORK_WRITE),
    "api:case-detail": Entry(get=API_CASEWORK_READ, post=NOT_ALLOWED, kwargs=CASE),
    "api:case-link-person": Entry(get=NOT_ALLOWED, post=CASEWORK_WRITE, kwargs=CASE),
    "api:case-link-address": Entry(get=NOT_ALLOWED, post=CASEWORK_WRITE, kwargs=CASE),
    "api:case-unlink-person": Entry(get=NOT_ALLOWED, post=NOT_ALLOWED, kwargs={"pk": "case", "link_id": "case_person"}),
    "api:case-unlink-address": Entry(get=NOT_ALLOWED, post=NOT_ALLOWED,
                                     kwargs={"pk": "case", "link_id": "case_address"}),
    "api:person-list": Entry(get=API_CASEWORK_READ, post=CASEWORK_WRITE),
    "api:person-link-address": Entry(get=NOT_ALLOWED, post=CASEWORK_WRITE, kwargs={"pk": "person"}),
    "api:person-detail": Entry(get=API_CASEWORK_READ, post=NOT_ALLOWED, kwargs={"pk": "person"}),
    "api:address-list": Entry(get=API_CASEWORK_READ, post=CASEWORK_WRITE),
    "api:address-detail": Entry(get=API_CASEWORK_READ, post=NOT_ALLOWED, kwargs={"pk": "address"}),
}
