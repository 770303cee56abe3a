"""Mapping templates: administrators build them; caseworkers may only preview one for a case (API)."""

from mappings.models import MappingTemplate

from . import API_ADMIN, PAGE_ADMIN, Entry, expect
from .test_matrix import WORLD_EXTENSIONS


def add_mapping(world):
    world.mapping = MappingTemplate.objects.create(
        name="Matrix mapping", integration=world.integration, case_type=world.case_type, channel="email",
        notify_template_id="f33517ff-2a88-4f6e-b855-c550268ce08a", recipient={"source": "person", "role": "Applicant"})


WORLD_EXTENSIONS.append(add_mapping)
IN_INTEGRATION = {"integration_pk": "integration"}
ONE = {"integration_pk": "integration", "pk": "mapping"}

MATRIX = {
    "mappings:create": Entry(get=PAGE_ADMIN, post=expect(302, 200, 403, 403), kwargs=IN_INTEGRATION),
    "mappings:edit": Entry(get=PAGE_ADMIN, post=expect(302, 200, 403, 403), kwargs=ONE),
    # The world's rule uses the mapping, so deleting it is refused with the rule named (200).
    "mappings:delete": Entry(get=PAGE_ADMIN, post=expect(302, 200, 403, 403), kwargs=ONE),
    "mappings:preview": Entry(get=PAGE_ADMIN, kwargs=ONE),
    "api:mappingtemplate-list": Entry(get=API_ADMIN, post=expect(401, 400, 403, 403)),
    "api:mappingtemplate-detail": Entry(get=API_ADMIN, post=expect(401, 405, 403, 403), kwargs={"pk": "mapping"}),
    # Preview needs a case; an empty body is a 400 for everyone who may preview.
    "api:mappingtemplate-preview": Entry(get=expect(401, 405, 405, 403), post=expect(401, 400, 400, 403),
                                        kwargs={"pk": "mapping"}),
}
