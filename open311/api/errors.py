"""Every refusal in GeoReport v2's shape, <errors><error><code/><description/></error></errors>
(or its JSON list), never an HTML page: 404 for what does not exist, 403 for a wrong or missing
api_key, 429 past a client's rate, 405 for a method a URL does not take, 400 for anything else
wrong with a request, 503 while the database cannot be reached (the client sends it again)."""

import logging

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    ValidationError,
)
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

log = logging.getLogger("open311")


def body(status: int, description: str) -> dict:
    return {"errors": [{"code": status, "description": description}]}


def _described(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _drf_description(detail) -> str:
    if isinstance(detail, dict):
        return " ".join(f"{key}: {_drf_description(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_drf_description(item) for item in detail)
    return str(detail)


def exception_handler(exc, context) -> Response:
    """DRF's exception handler for the Open311 views: the spec's error shape for everything."""
    headers = {}
    if isinstance(exc, Http404 | exceptions.NotFound):
        status, description = 404, str(exc) or "Not found."
    elif isinstance(exc, PermissionDenied | exceptions.PermissionDenied):
        status, description = 403, str(exc) or "api_key is missing or wrong."
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        status, description = 403, str(exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        status = 429
        description = f"Too many requests with this api_key: wait {exc.wait:.0f} seconds."
        headers["Retry-After"] = str(int(exc.wait or 1))
    elif isinstance(exc, exceptions.MethodNotAllowed):
        status, description = 405, str(exc.detail)
        view = context.get("view")
        if view is not None:
            headers["Allow"] = ", ".join(view.allowed_methods)
    elif isinstance(exc, ValidationError):
        status, description = 400, _described(exc)
    elif isinstance(exc, RequestDataTooBig):
        status, description = 400, "The request is too large: send photos as media_url links."
    elif isinstance(exc, TooManyFieldsSent):
        status, description = 400, "The request has too many fields."
    elif isinstance(exc, SuspiciousOperation):
        status, description = 400, "The request could not be read."
    elif isinstance(exc, exceptions.APIException):
        status, description = 400, _drf_description(exc.detail)
    elif isinstance(exc, OperationalError | InterfaceError):
        log.warning("Open311 request refused: the database could not be reached (%s)", exc)
        status, description = 503, "The council's system is briefly unavailable: send it again."
        headers["Retry-After"] = "60"
    elif isinstance(exc, DatabaseError):
        log.exception("Open311 request failed in the database")
        status, description = 400, "The request could not be saved as sent."
    else:  # a fault in CouncilFlow itself: logged with its traceback, answered in the shape
        log.exception("Open311 request failed")
        status, description = 500, "The council's system failed on this request."
    return Response(body(status, description), status=status, headers=headers)
