"""Template tags of the integration log.

`{% case_log case as entries %}`: a case's log entries for the case page, without cases/ importing us.
`{% log_status entry %}`: the entry's status as a GOV.UK tag (one call per row: the log lists 50 a page).
"""

from django import template
from django.utils.html import format_html

from integrations.selectors import case_log as select_case_log

register = template.Library()


@register.simple_tag(takes_context=True)
def case_log(context, case):
    user = context["request"].user
    if not (user.has_perm("integrations.view_case_log") or user.has_perm("integrations.view_logentry")):
        return []
    return list(select_case_log(case))


TAG_COLOURS = {"sent": "govuk-tag--green", "failed": "govuk-tag--red", "retrying": "govuk-tag--yellow",
               "cancelled": "govuk-tag--grey"}


@register.simple_tag
def log_status(entry):
    label = entry.get_status_display()
    if entry.status == "failed" and entry.failure_kind:
        label = f"{label} ({entry.get_failure_kind_display().lower()})"
    return format_html('<strong class="govuk-tag {}">{}</strong>', TAG_COLOURS.get(entry.status, "govuk-tag--blue"),
                       label)
