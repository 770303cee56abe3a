"""Caseworker pages and the case-type settings pages."""

from . import PAGE_ADMIN, PAGE_CASEWORK, Entry

MATRIX = {
    "cases:case_list": Entry(get=PAGE_CASEWORK),
    "cases:casetype_list": Entry(get=PAGE_ADMIN),
}
