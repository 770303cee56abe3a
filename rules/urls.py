from django.urls import path

from . import views

app_name = "rules"

urlpatterns = [
    path("", views.rule_list, name="list"),
    path("new/", views.rule_edit, name="create"),
    path("<int:pk>/", views.rule_edit, name="edit"),
    path("<int:pk>/dry-run/", views.rule_dry_run, name="dry_run"),
    path("<int:pk>/apply/", views.rule_apply, name="apply"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job_cancel"),
    path("run-on-case/<int:pk>/", views.case_rules_run, name="run_on_case"),
]
