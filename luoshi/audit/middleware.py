"""Refusals go into the audit log: a logged-in user answered 403 or 404."""

from luoshi.audit.services import record_event

DENIALS = (403, 404)


class DenialAuditMiddleware:
    """Records a `denied` event when a logged-in user is refused a page or an object.

    A 404 counts too: the views answer 404 for another department's objects, so that their
    existence is not revealed. Costs a query only on a refusal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in DENIALS:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                record_event(
                    user,
                    "denied",
                    object_type="http.request",
                    object_repr=f"{request.method} {request.path}"[:300],
                    changes={"status": {"old": None, "new": response.status_code}},
                )
        return response
