"""`{% case_documents case as documents %}`: the case's documents, newest first, for the case page (cases/ does not
import documents)."""

from django import template

from documents.models import Document

register = template.Library()


@register.simple_tag(takes_context=True)
def case_documents(context, case):
    if not context["request"].user.has_perm("documents.view_document"):
        return None
    return list(Document.objects.filter(case=case).select_related("uploaded_by", "deleted_by"))
