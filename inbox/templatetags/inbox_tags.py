"""`{% case_conversation case as items %}`: a case's texts, sent and received, for the case page (cases/ does not
import inbox)."""

from django import template

from inbox.selectors import conversation

register = template.Library()


@register.simple_tag(takes_context=True)
def case_conversation(context, case):
    user = context["request"].user
    if not user.has_perm("inbox.view_receivedtext"):
        return []
    return conversation(case)
