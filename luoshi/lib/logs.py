"""A request id on every log line: from the request to the tasks it enqueues.

nginx passes `X-Request-ID` (its `$request_id`); without one, luoshi makes one. Every record
logged while the request (or a task it enqueued) runs carries it, so one grep over the JSON logs
of every host follows a submission from the page to the reminder it sent.
"""

import contextvars
import logging
import re
import uuid
from contextlib import contextmanager

_current = contextvars.ContextVar("request_id", default="")
# What a proxy may pass: letters, digits and dashes, not a header injection or a novel.
_VALID = re.compile(r"[A-Za-z0-9-]{8,64}")


def current_request_id() -> str:
    """The id of the request (or the task) being served; "" outside both."""
    return _current.get()


@contextmanager
def bound(request_id: str):
    """Log under `request_id` inside the block (a task runs under its request's id)."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """Binds the request's id for its logs and returns it as `X-Request-ID`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _VALID.fullmatch(given) else uuid.uuid4().hex
        with bound(request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (LOGGING's handlers use it)."""

    def filter(self, record):
        record.request_id = _current.get()
        return True
