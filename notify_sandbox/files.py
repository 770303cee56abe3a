"""Files sent by email: a personalisation value that is an object with a `file` becomes a link to download it.

As Notify's API (app/v2/notifications/post_notifications.py process_document_uploads, the send_a_file_validation
schema) and then document-download (app/utils/file_checks.py, app/upload/views.py) check it: the schema's errors
are 400 ValidationError with the property's name first; document-download's refusals come back as 400
BadRequestError with its own words. A message to a simulated recipient gets a test link and uploads nothing.
"""

import base64
import binascii
import re
import secrets
import uuid

import filetype

from .validation import error

OPTIONS = ("file", "is_csv", "confirm_email_before_download", "retention_period", "filename")
RETENTION = re.compile(r"^(\d+) weeks?$")
MAX_BYTES = 2 * 1024 * 1024 + 1024  # document-download's MAX_CONTENT_LENGTH after decoding
MAX_FILENAME = 100
# notifications-utils file_types: extension -> the types document-download takes for it
EXTENSIONS = {
    "csv": {"text/csv", "text/plain"}, "doc": {"application/msword"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "jpeg": {"image/jpeg"}, "jpg": {"image/jpeg"}, "json": {"application/json", "text/plain"},
    "odt": {"application/vnd.oasis.opendocument.text"}, "pdf": {"application/pdf"},
    "png": {"image/png"}, "rtf": {"text/rtf", "application/rtf"}, "txt": {"text/plain"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}
EICAR = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"


class FileRefused(Exception):
    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def is_file(value):
    return isinstance(value, dict) and "file" in value


def _schema_errors(value):
    problems = []
    extra = [name for name in value if name not in OPTIONS]
    if extra:
        problems.append(error(f"Additional properties are not allowed ({', '.join(extra)} "
                              f"{'was' if len(extra) == 1 else 'were'} unexpected)"))
    if not isinstance(value["file"], str):
        problems.append(error(f"file {value['file']} is not of type string"))
    for name in ("is_csv", "confirm_email_before_download"):
        if value.get(name) is not None and not isinstance(value[name], bool):
            problems.append(error(f"{name} Unsupported value for {name}: {value[name]}. Use a boolean true or false "
                                  "value."))
    period = value.get("retention_period")
    if period is not None:
        match = RETENTION.match(period.strip().lower()) if isinstance(period, str) else None
        if not match or not 1 <= int(match.group(1)) <= 78:
            problems.append(error(f"retention_period Unsupported value for retention_period: {period}. Supported "
                                  "periods are from 1 to 78 weeks."))
    name = value.get("filename")
    if name is not None and (not isinstance(name, str) or "." not in name):
        problems.append(error("filename `filename` must end with a file extension. For example, filename.csv"))
    if "is_csv" in value and value.get("filename") is not None:
        problems.append(error("Do not set a value for `is_csv` if `filename` is set."))
    return problems


def _detected(content):
    guess = filetype.guess(content[:8192])
    if guess is not None:
        return guess.mime
    if b"\x00" in content[:8192]:
        return "application/octet-stream"
    for encoding in ("utf-8", "cp1252"):  # libmagic calls both text
        try:
            content[:8192].decode(encoding)
        except UnicodeDecodeError as error:
            if encoding == "utf-8" and error.start >= min(len(content), 8192) - 3:
                return "text/plain"
            continue
        return "text/plain"
    return "application/octet-stream"


def _supported():
    return ", ".join(f"'.{ext}'" for ext in sorted(EXTENSIONS))


def _download_refusal(value):
    """What document-download says of the file, or None when it takes it."""
    try:
        content = base64.b64decode(value["file"])
    except (binascii.Error, ValueError):
        return "Document is not base64 encoded"
    if not content:
        return "Document must not be empty"
    if len(content) > MAX_BYTES:
        return "Uploaded file exceeds file size limit"
    name = value.get("filename")
    if name is not None and len(name) > MAX_FILENAME:
        return f"`filename` cannot be longer than {MAX_FILENAME} characters"
    detected = _detected(content)
    if name is not None:
        extension = name.rsplit(".", 1)[-1].lower()
        if extension not in EXTENSIONS:
            return f"Unsupported file type '.{extension}'. Supported types are: {_supported()}"
    if not any(detected in types for types in EXTENSIONS.values()):
        return f"Unsupported file type '{detected}'. Supported types are: {_supported()}"
    if EICAR in content:
        return "File did not pass the virus scan"
    return None


def _b64(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def link(service_id):
    document_id = uuid.uuid4()
    return (f"https://documents.service.gov.uk/d/{_b64(uuid.UUID(service_id).bytes)}/{_b64(document_id.bytes)}"
            f"?key={_b64(secrets.token_bytes(32))}")


def check_kind(personalisation, kind):
    """A file in a text or a letter: refused with the template checks, before the recipient's (as Notify's
    check_template_can_contain_documents)."""
    if kind != "email" and any(is_file(value) for value in personalisation.values()):
        raise FileRefused((400, [error("Can only send a file by email", "BadRequestError")]))


def with_links(personalisation, *, kind, service_id, simulated):
    """The personalisation with each file replaced by its download link; FileRefused with Notify's errors."""
    files = [name for name, value in personalisation.items() if is_file(value)]
    if not files:
        return personalisation
    check_kind(personalisation, kind)
    linked = dict(personalisation)
    for name in files:
        problems = _schema_errors(personalisation[name])
        if problems:
            raise FileRefused((400, problems))
        if simulated:
            linked[name] = f"https://documents.service.gov.uk/services/{service_id}/documents/test-document"
            continue
        refusal = _download_refusal(personalisation[name])
        if refusal:
            raise FileRefused((400, [error(refusal, "BadRequestError")]))
        linked[name] = link(service_id)
    return linked
