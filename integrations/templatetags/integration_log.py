"""`{% case_log case as entries %}`: a case's log entries for the case page, without cases/ importing us."""

from django import template

from integrations.selectors import case_log as select_case_log

register = template.Library()


@register.simple_tag(takes_context=True)
def case_log(context, case):
    user = context["request"].user
    if not (user.has_perm("integrations.view_case_log") or user.has_perm("integrations.view_logentry")):
        return []
    return list(select_case_log(case))
