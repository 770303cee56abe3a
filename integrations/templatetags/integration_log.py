"""Template tags of the integration log.

`{% case_log case as entries %}`: a case's log entries for the case page, without cases/ importing us.
`{% log_status entry %}`: the entry's status as a GOV.UK tag.
`{% delivery_status entry %}`: what became of a sent message, as a tag and in plain words.
`{% log_row entry %}`: one row of the log list.
"""

import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.text import Truncator

from integrations.delivery import statuses
from integrations.notify import files
from integrations.selectors import case_log as select_case_log

register = template.Library()


@register.simple_tag(takes_context=True)
def case_log(context, case):
    user = context["request"].user
    if not (user.has_perm("integrations.view_case_log") or user.has_perm("integrations.view_logentry")):
        return []
    return list(select_case_log(case))


@register.filter
def unfinished(entries):
    """Whether any of the entries is still on its way (queued, retrying or sending) or sent in the last few minutes
    without a delivery status yet: its page then polls, so a callback's status shows without a reload."""
    recent = timezone.now() - datetime.timedelta(minutes=5)
    return any(entry.status in ("queued", "retrying", "sending")
               or (entry.status == "sent" and not entry.delivery_status and not entry.delivery_note
                   and entry.sent_at and entry.sent_at > recent)
               for entry in entries)


TAG_COLOURS = {"sent": "govuk-tag--green", "failed": "govuk-tag--red", "retrying": "govuk-tag--yellow",
               "cancelled": "govuk-tag--grey"}


@register.filter
def personalised(value):
    """A personalisation value as the log shows it: a case document by its name and version."""
    return files.described(value)


@register.simple_tag
def log_status(entry):
    label = entry.get_status_display()
    if entry.status == "failed" and entry.failure_kind:
        label = f"{label} ({entry.get_failure_kind_display().lower()})"
    return format_html('<strong class="govuk-tag {}">{}</strong>', TAG_COLOURS.get(entry.status, "govuk-tag--blue"),
                       label)


DELIVERY_COLOURS = {"delivered": "govuk-tag--green", "failed": "govuk-tag--red", "pending": "govuk-tag--grey"}


@register.simple_tag
def delivery_status(entry):
    """What became of a sent message, as a tag and in words a caseworker understands; nothing before it was sent."""
    if entry.status != "sent" and not entry.delivery_status:
        return ""
    pile = statuses.outcome(entry.delivery_status) if entry.delivery_status else "pending"
    label = {"delivered": "Delivered", "failed": "Not delivered", "pending": "Waiting"}[pile]
    if entry.delivery_note and pile == "pending":
        label = "No status"
    return format_html('<strong class="govuk-tag {}">{}</strong> <span class="govuk-body-s">{}</span>',
                       DELIVERY_COLOURS[pile], label,
                       statuses.in_words(entry.channel, entry.delivery_status, entry.delivery_note))


@register.simple_tag
def log_row(entry):
    """One row of the log list, built in one call: the list shows 50 a page, and the template engine's cost for
    each variable and filter in a row was a third of the page's time at a million entries."""
    if entry.notify_id:
        outcome = format_html('<br><code class="govuk-body-s">{}</code>', entry.notify_id)
    elif entry.reason:
        outcome = format_html('<br><span class="govuk-body-s">{}</span>', Truncator(entry.reason).chars(120))
    else:
        outcome = ""
    origin = f"{entry.mapping_template_name} · {entry.rule_name}" if entry.rule_name else entry.mapping_template_name
    return format_html(
        '<tr class="govuk-table__row">'
        '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden">: open this'
        ' entry</span></a></td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{} to {}<br><span class="govuk-body-s">{}</span></td>'
        '<td class="govuk-table__cell">{}{}<br>{}</td></tr>',
        reverse("log:detail", args=[entry.pk]), format_date(timezone.localtime(entry.created_at), "j M Y H:i:s"),
        entry.case_reference or "—",
        entry.get_channel_display(), Truncator(entry.recipient or "—").chars(40), origin,
        log_status(entry), outcome, delivery_status(entry),
    )
