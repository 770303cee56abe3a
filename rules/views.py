"""Rules pages: the list, the editor, a dry run, bulk apply with its progress, and running rules on a case."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import page_permission_required
from cases.models import Case, CaseType
from mappings.selectors import template_mismatches
from mappings.snapshot import snapshots

from .bulk import bulk_job_cancel, bulk_job_messages, bulk_job_start, not_applicable_reason
from .engine import dry_run
from .forms import RuleForm
from .models import BulkJob, Rule
from .scope import existing_cases
from .services import case_run_rules, rule_save

admin_only = page_permission_required("rules.change_rule")
DRY_RUN_CASES = 25


@page_permission_required("rules.view_rule")
def rule_list(request):
    case_types = list(CaseType.objects.prefetch_related("rules__actions__mapping_template__placeholders"))
    mappings = {action.mapping_template_id: action.mapping_template for case_type in case_types
                for rule in case_type.rules.all() for action in rule.actions.all()}
    return render(request, "rules/list.html", {"case_types": case_types,
                                               "mismatched_by_id": template_mismatches(mappings.values())})


@admin_only
def rule_edit(request, pk=None):
    rule = get_object_or_404(Rule.objects.select_related("case_type"), pk=pk) if pk else Rule()
    case_type = rule.case_type if pk else CaseType.objects.filter(pk=request.GET.get("case_type")).first()
    if case_type is None:
        return render(request, "rules/choose.html", {"case_types": CaseType.objects.all()})
    form = RuleForm(request.POST or None, instance=rule, case_type=case_type)
    if request.method == "POST" and form.is_valid():
        try:
            rule = rule_save(rule=form.apply(), mapping_templates=list(form.cleaned_data["actions"]))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Rule '{rule.name}' saved")
            return redirect("rules:edit", pk=rule.pk)
    return render(request, "rules/form.html", {"form": form, "rule": rule, "case_type": case_type})


@admin_only
def rule_dry_run(request, pk):
    rule = get_object_or_404(Rule.objects.select_related("case_type"), pk=pk)
    cases = list(Case.objects.filter(case_type=rule.case_type).order_by("-updated_at")[:DRY_RUN_CASES])
    by_id = {snapshot["id"]: snapshot for snapshot in snapshots(Case.objects.filter(pk__in=[c.pk for c in cases]))}
    results = []
    for case in cases:
        outcome, resolutions = dry_run(rule, by_id[case.pk])
        results.append({"case": case, "outcome": outcome, "resolutions": resolutions})
    return render(request, "rules/dry_run.html", {"rule": rule, "results": results, "limit": DRY_RUN_CASES})


@admin_only
def rule_apply(request, pk):
    rule = get_object_or_404(Rule.objects.select_related("case_type"), pk=pk)
    refused = not_applicable_reason(rule)
    if request.method == "POST" and not refused:
        job = bulk_job_start(rule=rule, actor=request.user)
        return redirect("rules:job", pk=job.pk)
    cases, meaning = existing_cases(rule)
    return render(request, "rules/apply.html", {"rule": rule, "cases": cases.count(), "meaning": meaning,
                                                "all_cases": rule.case_type.cases.count(), "refused": refused,
                                                "jobs": rule.bulk_jobs.all()[:5]})


@admin_only
def job_detail(request, pk):
    job = get_object_or_404(BulkJob.objects.select_related("rule"), pk=pk)
    template = "rules/_job_progress.html" if request.htmx else "rules/job.html"
    return render(request, template, {"job": job, "outcome": bulk_job_messages(job)})


@admin_only
@require_POST
def job_cancel(request, pk):
    job = get_object_or_404(BulkJob, pk=pk)
    bulk_job_cancel(job=job)
    messages.success(request, "The job will stop before its next batch of cases")
    return redirect("rules:job", pk=pk)


@page_permission_required("rules.run_rules", "cases.change_case")
@require_POST
def case_rules_run(request, pk):
    case = get_object_or_404(Case, pk=pk)
    outcomes = case_run_rules(case=case)
    applied = [o for o in outcomes if o.result == "applied"]
    failed = [e for o in applied for e in o.entries if e.status == "failed"]
    if not outcomes:
        messages.info(request, "No rules can be run by hand on this type of case")
    elif failed:
        messages.error(request, f"Applied: {', '.join(o.rule.name for o in applied)}, but {len(failed)} message"
                                f"{'s' if len(failed) != 1 else ''} could not be built: "
                                f"{'; '.join(e.reason for e in failed[:3])}. See the messages below.")
    elif applied:
        messages.success(request, f"Applied: {', '.join(o.rule.name for o in applied)}. See the messages below.")
    else:
        messages.info(request, "; ".join(f"{o.rule.name}: {o.reason}" for o in outcomes))
    return redirect("cases:case_detail", pk=pk)
