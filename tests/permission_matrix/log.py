"""The integration log: auditors and administrators read and export; administrators resend."""

from integrations.log import LogEntry, Status

from . import PAGE_AUDIT, Entry, expect
from .test_matrix import WORLD_EXTENSIONS


def add_log_entry(world):
    world.log_entry = LogEntry.objects.create(integration=world.integration, case=world.case, channel="email",
                                              status=Status.SENT, reference="matrix-entry")


WORLD_EXTENSIONS.append(add_log_entry)
ENTRY = {"pk": "log_entry"}
API_AUDIT = expect(401, 200, 403, 200)

MATRIX = {
    "log:list": Entry(get=PAGE_AUDIT),
    "log:detail": Entry(get=PAGE_AUDIT, kwargs=ENTRY),
    "log:export": Entry(get=PAGE_AUDIT),
    # Only failed entries can be resent: a sent one is refused with a message, back on its page.
    "log:resend": Entry(get=expect(302, 405, 403, 403), post=expect(302, 302, 403, 403), kwargs=ENTRY),
    "log:rebuild": Entry(get=expect(302, 405, 403, 403), post=expect(302, 302, 403, 403), kwargs=ENTRY),
    # The matrix's entry has no Notify id: asking for its status is refused with a message.
    # The matrix's entry is an email: only a letter Notify accepted has a PDF.
    "log:letter_pdf": Entry(get=expect(302, 404, 403, 404), kwargs=ENTRY),
    "log:status": Entry(get=expect(302, 405, 403, 405), post=expect(302, 302, 403, 302), kwargs=ENTRY),
    "api:log-refresh-status": Entry(get=expect(401, 405, 403, 405), post=expect(401, 400, 403, 400), kwargs=ENTRY),
    "api:log-list": Entry(get=API_AUDIT, post=expect(401, 405, 403, 405)),
    "api:log-detail": Entry(get=API_AUDIT, post=expect(401, 405, 403, 405), kwargs=ENTRY),
    "api:log-export": Entry(get=API_AUDIT),
    "api:log-resend": Entry(get=expect(401, 405, 403, 405), post=expect(401, 400, 403, 403), kwargs=ENTRY),
    "api:log-rebuild": Entry(get=expect(401, 405, 403, 405), post=expect(401, 400, 403, 403), kwargs=ENTRY),
}
