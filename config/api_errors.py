"""The API's errors, always JSON: domain validation errors are 400s with field messages, a value the database
cannot hold is a 400, and the API's own 404 and 500 pages are JSON too (config.urls)."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler

from .validation import PayloadTooLarge


def api_exception_handler(error, context):
    if isinstance(error, DjangoValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        error = exceptions.ValidationError(detail)
    elif isinstance(error, DataError | OverflowError):  # a value out of the column's range slipped through
        error = exceptions.ValidationError({"non_field_errors": ["A value in the request is out of range."]})
    elif isinstance(error, RequestDataTooBig):
        error = PayloadTooLarge()
    return exception_handler(error, context)


def is_api(request):
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    from django.views.defaults import page_not_found

    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    from django.views.defaults import server_error as page

    if is_api(request):
        return JsonResponse({"detail": "The server could not answer this request; it has been logged."}, status=500)
    return page(request)


def bad_request(request, exception=None):
    from django.views.defaults import bad_request as page

    if is_api(request):
        status = 413 if isinstance(exception, RequestDataTooBig) else 400
        return JsonResponse({"detail": "The request body is too large." if status == 413 else "Bad request."},
                            status=status)
    return page(request, exception)
