from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from luoshi.audit.models import AuditRecord
from luoshi.lib.auth import role_required
from luoshi.orgs.models import User


@require_GET
@role_required(User.Role.AUDIT_ADMIN)
def log(request):
    records = AuditRecord.objects.all()
    query = request.GET.get("q", "").strip()
    if query:
        records = records.filter(
            Q(username__icontains=query)
            | Q(object_repr__icontains=query)
            | Q(action__icontains=query)
            | Q(organization__icontains=query)
        )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page, "query": query})
