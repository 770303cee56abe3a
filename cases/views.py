from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from .models import Case, CaseType


@permission_required("cases.view_case", raise_exception=True)
def case_list(request):
    return render(request, "cases/case_list.html", {"cases": Case.objects.select_related("status")[:50]})


@permission_required("cases.change_casetype", raise_exception=True)
def casetype_list(request):
    return render(request, "cases/casetype_list.html", {"case_types": CaseType.objects.all()})
