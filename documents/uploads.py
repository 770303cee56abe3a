"""Refusing an oversize upload before it is read: by its declared length (middleware, before anything reads the
body), and while it streams in (an upload handler, for a body that does not declare its length or lies about it).

Either way nothing is stored, and the person sees why: a page's form shows the error, the API answers 413 in JSON.
"""

import html

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParser
from django.shortcuts import redirect
from rest_framework import parsers

from .checks import max_upload_bytes, size_words

# Room for the form's other fields and the multipart framing around the file.
FRAMING_BYTES = 64 * 1024


def too_big_words():
    return f"The file is too big: the most you can add is {size_words(max_upload_bytes())}"


class UploadTooLarge(Exception):
    pass


class LimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts a file's bytes as they arrive and stops reading past the limit. The
    request is marked (`upload_too_large`) so that the view says why the file is missing."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            if self.request is not None:
                self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def is_upload(request):
    return request.method in ("POST", "PUT", "PATCH") and request.content_type == "multipart/form-data"


class NameKeepingParser(MultiPartParser):
    """Django's multipart parser, which quietly cuts a folder path off a file's name ("../../x.pdf" becomes
    "x.pdf"). This one notes such a name on the request (`upload_name_with_folder`), so that the upload is refused
    with the reason rather than kept under a name the sender did not choose."""

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def sanitize_file_name(self, file_name):
        raw = html.unescape(file_name or "")
        if "/" in raw or "\\" in raw:
            self.request.upload_name_with_folder = raw
        return super().sanitize_file_name(file_name)


def _parse_keeping_names(request):
    def parse_file_upload(meta, post_data):
        request.upload_handlers = list(request.upload_handlers)
        return NameKeepingParser(request, meta, post_data, request.upload_handlers, request.encoding).parse()

    return parse_file_upload


class NameKeepingMultiPartParser(parsers.MultiPartParser):
    """The API's multipart parser, with NameKeepingParser's note of a name with a folder in it."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        meta = {**request.META, "CONTENT_TYPE": media_type}
        encoding = parsers.get_encoding(parser_context)
        try:
            data, files = NameKeepingParser(request._request, meta, stream, request.upload_handlers, encoding).parse()
        except parsers.MultiPartParserError as error:
            raise parsers.ParseError(f"Multipart form parse error - {error}") from None
        return parsers.DataAndFiles(data, files)


class UploadLimitMiddleware:
    """Before the CSRF check reads the body: a multipart request that declares more than the upload limit is
    answered at once, its body unread; any other is parsed noting a file name with a folder in it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_upload(request):
            if _declared_length(request) > max_upload_bytes() + FRAMING_BYTES:
                return refuse_too_large(request)
            request.parse_file_upload = _parse_keeping_names(request)
        return self.get_response(request)


def _declared_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def refuse_too_large(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"file": [too_big_words() + ". Nothing was stored."]}, status=413)
    messages.error(request, too_big_words() + ". Nothing was stored.")
    return redirect(request.path)
