from django.shortcuts import render

from accounts.decorators import page_permission_required

from .models import Case, CaseType


@page_permission_required("cases.view_case")
def case_list(request):
    return render(request, "cases/case_list.html", {"cases": Case.objects.select_related("status")[:50]})


@page_permission_required("cases.change_casetype")
def casetype_list(request):
    return render(request, "cases/casetype_list.html", {"case_types": CaseType.objects.all()})
