"""Caseworker pages and the case-type settings pages."""

from . import LOGIN, PAGE_ADMIN, PAGE_CASEWORK, Entry, expect

CASE = {"pk": "case"}
# An empty POST to a case form: re-rendered with its errors (200) for those who may write.
WRITE = expect(LOGIN, 200, 200, 403)
ADMIN_WRITE = expect(LOGIN, 200, 403, 403)
# Removing a link happens on POST, and sends the user back to the case.
REMOVE = expect(LOGIN, 302, 302, 403)

MATRIX = {
    "cases:case_list": Entry(get=PAGE_CASEWORK),
    "cases:case_create": Entry(get=PAGE_CASEWORK, post=WRITE),
    "cases:case_detail": Entry(get=PAGE_CASEWORK, kwargs=CASE),
    "cases:case_edit": Entry(get=PAGE_CASEWORK, post=WRITE, kwargs=CASE),
    "cases:case_add_person": Entry(get=PAGE_CASEWORK, post=WRITE, kwargs=CASE),
    "cases:case_add_address": Entry(get=PAGE_CASEWORK, post=WRITE, kwargs=CASE),
    "cases:case_remove_person": Entry(get=PAGE_CASEWORK, post=REMOVE, kwargs={"pk": "case", "link_pk": "case_person"}),
    "cases:case_remove_address": Entry(get=PAGE_CASEWORK, post=REMOVE, kwargs={"pk": "case", "link_pk": "case_address"}),
    "cases:person_edit": Entry(get=PAGE_CASEWORK, post=WRITE, kwargs={"pk": "person"}),
    "cases:address_edit": Entry(get=PAGE_CASEWORK, post=WRITE, kwargs={"pk": "address"}),
    "cases:casetype_list": Entry(get=PAGE_ADMIN),
    "cases:casetype_create": Entry(get=PAGE_ADMIN, post=ADMIN_WRITE),
    "cases:casetype_detail": Entry(get=PAGE_ADMIN, kwargs={"pk": "case_type"}),
    "cases:casetype_edit": Entry(get=PAGE_ADMIN, post=ADMIN_WRITE, kwargs={"pk": "case_type"}),
    "cases:field_create": Entry(get=PAGE_ADMIN, post=ADMIN_WRITE, kwargs={"type_pk": "case_type"}),
    "cases:field_edit": Entry(get=PAGE_ADMIN, post=ADMIN_WRITE, kwargs={"type_pk": "case_type", "pk": "field"}),
    # The world's field has case values, so deleting it is refused with an explanation (200).
    "cases:field_delete": Entry(get=PAGE_ADMIN, post=ADMIN_WRITE, kwargs={"type_pk": "case_type", "pk": "field"}),
    "cases:status_create": Entry(get=PAGE_ADMIN, post=ADMIN_WRITE, kwargs={"type_pk": "case_type"}),
    "cases:status_edit": Entry(get=PAGE_ADMIN, post=ADMIN_WRITE, kwargs={"type_pk": "case_type", "pk": "status"}),
    "cases:status_delete": Entry(get=PAGE_ADMIN, post=ADMIN_WRITE, kwargs={"type_pk": "case_type", "pk": "status"}),
}
