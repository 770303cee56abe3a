"""Sending log entries to Notify: claim them, respect the shared rate limit, call Notify, record the attempts.

The tasks (integrations.tasks) only call `send_entries` or `send_entry`. Each step guards on the entry's
state, so a task delivered twice, or a sweeper re-publishing an entry, never sends a message twice:
- a task's entries are claimed together (integrations.claims: a compare-and-set and a lease) only from a
  sendable state, marked "sending" and committed before the network calls;
- what Notify accepted is recorded a few sends at a time (SentBatch); until then the entry stays
  "sending", so a worker that dies first leaves it to the sweeper, as one that dies mid-call does;
- after an ambiguous failure (a timeout: Notify may have accepted it) the next attempt first looks the
  reference up in Notify and records the existing notification instead of sending again.
"""

import datetime
import logging
import time
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from redis.exceptions import RedisError

from . import claims, outbox, retry, turns
from .delivery.record import adopt_waiting
from .log import Attempt, FailureKind, LogEntry, Outcome, Status, log_fields
from .models import Integration, NotifyTemplate
from .notify import files
from .notify.client import gateway_for
from .notify.errors import DailyLimit, NotifyError, Permanent, RateLimited, Retryable
from .ratelimit import LocalRateLimiter, Rate, RedisRateLimiter, wait_for_slots
from .services import template_cache_store

logger = logging.getLogger(__name__)

# Waits for the rate limiter up to this long inside the task; longer waits are rescheduled.
MAX_INLINE_WAIT = 2.0
# When the limiter's Redis is unreachable, an entry waits this long before its next try.
LIMITER_DOWN_WAIT = 5.0
_limiter = None


class RetriesExhausted(Exception):
    """A message failed after the last allowed retry."""


def limiter():
    global _limiter
    if _limiter is None:
        url = getattr(settings, "REDIS_URL", "")
        _limiter = RedisRateLimiter.from_url(url) if url else LocalRateLimiter()
    return _limiter


def rate_for(integration, *, bulk=False):
    """The integration's limit as the limiter applies it: evenly, in bursts of at most a quarter of Notify's bucket.

    One case's messages may burst up to twice as far as a bulk apply's, on the same key: while a bulk apply keeps
    the key at its edge, a caseworker's message still finds a slot at once (bulk waits one slot more for it).
    Both draw on one limit, so together they stay within Notify's.
    """
    rate = Rate(limit=integration.rate_limit, window=integration.rate_window)
    bulk_burst = max(1, min(rate.notify_bucket // 4, 10))
    burst = bulk_burst if bulk else bulk_burst + min(bulk_burst, rate.notify_bucket // 4)
    # Paced so that a minute holds the limit even with a burst in it: the limit a minute less a bulk apply's burst
    # (where that is a small part of it), so no 60 s of sending ever passes the limit after the first burst (#20 P1).
    per_minute = rate.limit * 60 / rate.window
    if per_minute >= 20 * bulk_burst:
        return Rate(limit=rate.limit * (per_minute - bulk_burst) / per_minute, window=rate.window, burst=burst)
    return Rate(limit=rate.limit, window=rate.window, burst=burst)


def limiter_key(integration):
    """Notify limits each service and key type; integrations sharing both share one limit."""
    return f"{integration.service_id or integration.pk}:{integration.key_type}"


def _record_attempt(entry, *, started, outcome, error=None, status_code=None, message=""):
    """One row per call to Notify: when, how long, what came back."""
    Attempt.objects.create(
        entry=entry,
        number=entry.attempts.count() + 1,
        started_at=started,
        duration_ms=int((timezone.now() - started).total_seconds() * 1000),
        outcome=outcome,
        status_code=error.status_code if error else status_code,
        error_type=error.error_type if error else "",
        message=error.reason if error else message,
    )


SENT_FIELDS = ["status", "notify_id", "sent_at", "ambiguous", "reason", "next_attempt_at", "attempt_count",
               "updated_at"]


def _set_sent(entry, notify_id, now):
    entry.status = Status.SENT
    entry.notify_id = notify_id
    entry.sent_at = entry.updated_at = now
    entry.ambiguous = False
    entry.reason = ""
    entry.next_attempt_at = None


def _mark_sent(entry, notify_id):
    _set_sent(entry, notify_id, timezone.now())
    entry.save(update_fields=SENT_FIELDS)
    adopt_waiting([entry])


def _save_sent(entries, now):
    """Write entries marked sent at `now`: on PostgreSQL one UPDATE from arrays (bulk_update's CASE per row and
    field took a fifth of a worker's time), elsewhere bulk_update."""
    if connection.vendor != "postgresql":
        LogEntry.objects.bulk_update(entries, SENT_FIELDS)
        return
    table = connection.ops.quote_name(LogEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS entry SET status = %s, notify_id = sent.notify_id, attempt_count = sent.attempts,"
            " sent_at = %s, updated_at = %s, ambiguous = false, reason = '', next_attempt_at = NULL"
            " FROM unnest(%s::bigint[], %s::uuid[], %s::integer[]) AS sent (id, notify_id, attempts)"
            " WHERE entry.id = sent.id",
            [Status.SENT, now, now, [e.pk for e in entries], [str(e.notify_id) for e in entries],
             [e.attempt_count for e in entries]])


class SentBatch:
    """Sends Notify accepted, recorded together: one insert of their attempts and one update of their entries
    every FLUSH_EVERY sends or FLUSH_SECONDS, and at the end of the task (`with SentBatch() as sent:`).

    Writing each send on its own took two thirds of a worker's time. An entry stays "sending" until written:
    if the worker dies first, the sweeper returns it marked ambiguous and the next attempt finds it in
    Notify by its reference, so it is never sent twice.
    """

    FLUSH_EVERY = 50
    FLUSH_SECONDS = 1.0

    def __init__(self):
        self.pending = []
        self.since = 0.0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.flush()

    def add(self, entry, started, notify_id):
        if not self.pending:
            self.since = time.monotonic()
        duration = int((timezone.now() - started).total_seconds() * 1000)
        self.pending.append((entry, started, duration, notify_id))
        if len(self.pending) >= self.FLUSH_EVERY:
            self.flush()

    def flush_if_due(self):
        """Write what waits if the oldest has waited FLUSH_SECONDS (called before each entry of a batch, so a
        send is not left unwritten behind a run of rate-limit waits or failures)."""
        if self.pending and time.monotonic() - self.since >= self.FLUSH_SECONDS:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        entries = [entry for entry, *_ in pending]
        made = dict(Attempt.objects.filter(entry__in=entries).values_list("entry").annotate(Count("id")))
        now = timezone.now()
        attempts = []
        for entry, started, duration, notify_id in pending:
            attempts.append(Attempt(entry=entry, number=made.get(entry.pk, 0) + 1, started_at=started,
                                    duration_ms=duration, outcome=Outcome.SENT, status_code=201))
            _set_sent(entry, notify_id, now)
        with transaction.atomic():
            Attempt.objects.bulk_create(attempts)
            _save_sent(entries, now)
        adopt_waiting(entries)  # a status report that came before the Notify id was written
        for entry in entries:
            logger.info("Sent log entry %s", entry.pk, extra=log_fields(entry))


def _look_up_first(entry, gateway):
    """After an ambiguous failure: if Notify already has this reference, record it and stop."""
    started = timezone.now()
    existing = gateway.find_by_reference(entry.reference)
    if existing:
        _record_attempt(entry, started=started, outcome=Outcome.FOUND, status_code=200,
                        message=f"Notify already had this reference as {existing['id']}: not sent again")
        _mark_sent(entry, existing["id"])
        return True
    _record_attempt(entry, started=started, outcome=Outcome.NOT_FOUND, status_code=200,
                    message="Notify has no message with this reference: sending it")
    return False


_integrations = {}


def wait_for_a_turn(entry_ids, *, integration_id, lease, bulk):
    """Before a task reads its entries: if its integration has no rate-limit slot free and another integration's sends
    wait, publish the task again, as it is, for when a burst of slots is free, and return True. Only Redis is asked
    (the integration is read once a minute): a turn passed costs no database work."""
    cached = _integrations.get(integration_id)
    if cached is None or cached[1] < time.monotonic():
        integration = Integration.objects.filter(pk=integration_id).first()
        if integration is None:
            return False
        cached = _integrations[integration_id] = (integration, time.monotonic() + 60)
    integration = cached[0]
    rate = rate_for(integration, bulk=bulk)
    try:
        wait = limiter().state(limiter_key(integration)) - (rate.burst - 1) * rate.interval
        if wait <= 0 or not turns.others_waiting(integration_id):
            return False
    except RedisError:
        return False
    # Nothing is written (marking a hundred entries at each turn passed took more of the machine than sending them):
    # should the sweeper find the queues empty meanwhile and publish unclaimed ones again, the claim sends them once.
    outbox.enqueue_many(entry_ids, marked=True, bulk=bulk, countdown=max(wait, rate.burst * rate.interval),
                        integration_id=integration_id, lease=lease)
    return True


class Later(NamedTuple):
    """Not now: try again in `seconds`, still claimed (`keep`: handed on to a later turn) or put back."""

    seconds: float
    keep: bool = False


def send_entries(entry_ids, *, sent=None, lease=None):
    """Send log entries one after another (a task's batch), claimed together and recorded together (in `sent`, a
    SentBatch, when given). Safe to call any number of times: an entry no longer due and sendable is left alone.
    `lease`: the batch was handed on by an earlier turn, still claimed under the lease that began then.

    One entry's error never stops the rest: it is recorded on the entry where it could be, and the sweeper retries
    what was left. When the rate limiter asks for a longer wait than a task should hold a worker, the rest of the
    batch goes back to the queue for then, in one statement and one task; while another integration's sends wait,
    the rest is handed on to a later turn instead of waiting at all (integrations.turns).
    """
    if sent is None:
        with SentBatch() as sent:
            return send_entries(entry_ids, sent=sent, lease=lease)
    entries = claims.resume(entry_ids, lease) if lease else claims.claim(entry_ids)
    slots = Slots()
    turn_ends = time.monotonic() + turns.TURN_SECONDS
    for index, entry in enumerate(entries):
        rest = entries[index:]
        if time.monotonic() > turn_ends:  # asked once a turn, not once a send
            turn_ends = time.monotonic() + turns.TURN_SECONDS
            over = turns.others_waiting(entry.integration_id)
        else:
            over = False
        if over:
            later = Later(0.0, keep=True)  # this turn is over: the others go first
        else:
            try:
                sent.flush_if_due()
                later = _send_claimed(entry, sent, slots, ahead=len(rest))
            except Exception:
                logger.exception("Sending log entry %s failed", entry.pk, extra={"log_entry_id": entry.pk})
                continue
        if later and later.keep:
            claims.hand_on(rest, countdown=later.seconds)
            return None
        if later:
            claims.release(rest, wait=later.seconds)
            return None
    return None


def send_entry(entry_id, *, sent=None):
    """Send one log entry (see send_entries)."""
    send_entries([entry_id], sent=sent)


class Slots:
    """The rate-limit slots a task took and has not used yet. A batch asks the limiter for as many slots as it has
    entries left (at most the burst) in one call, rather than one call a send (a fifth of a worker's time went on
    them); at the limit the limiter has one free at a time, so nothing changes there."""

    def __init__(self):
        self.held = {}

    def take(self, entry, *, ahead):
        """None when a slot for `entry` is held or taken now, else Later; `ahead`: how many entries the batch has
        left, this one included. With no slot free now, it waits for one as long as the wait is short, unless another
        integration's sends wait: then this batch's turn is over until a burst of slots is free again."""
        integration, bulk = entry.integration, bool(entry.bulk_job_id)
        key = limiter_key(integration)
        if self.held.get((key, bulk), 0) > 0:
            self.held[(key, bulk)] -= 1
            return None
        rate = rate_for(integration, bulk=bulk)
        want = min(ahead, rate.burst)
        try:
            taken, wait = limiter().take(key, rate, want)
            if not taken and turns.others_waiting(integration.pk):
                return Later(max(wait, rate.burst * rate.interval), keep=True)
            if not taken:
                taken, wait = wait_for_slots(limiter(), key, rate, max_wait=MAX_INLINE_WAIT, want=want)
        except RedisError as error:  # the shared limiter is unreachable: never send unlimited, put it back
            logger.warning("Rate limiter unavailable (%s); log entry %s goes back to the queue", type(error).__name__,
                           entry.pk, extra={"log_entry_id": entry.pk})
            return Later(LIMITER_DOWN_WAIT)
        self.held[(key, bulk)] = max(0, taken - 1)
        return Later(wait) if wait else None


def _send_claimed(entry, sent, slots, *, ahead):
    """Send a claimed entry, recorded in `sent` if Notify accepts it, with a slot from `slots`. Returns Later when
    the limiter has no slot for it now (the entry is then still claimed: the caller puts it back or hands it on),
    else None."""
    integration = entry.integration
    if not integration.enabled:
        _fail(entry, FailureKind.INTEGRATION_DISABLED, f"Not sent: the integration '{integration.name}' is disabled")
        return None
    later = slots.take(entry, ahead=ahead)
    if later:
        return later
    if not claims.still_ours(entry):
        return None
    gateway = gateway_for(integration)
    started = timezone.now()
    entry.attempt_count += 1
    try:
        # An earlier attempt may have reached Notify: if so, that is the send, whatever the template is now.
        if entry.ambiguous and _look_up_first(entry, gateway):
            return None
        prepared = _ready_to_send(entry, gateway)
        if prepared is None:
            return None
        started = timezone.now()
        response = gateway.send(entry, prepared)
    except NotifyError as error:
        _handle_failure(entry, error, started)
        return None
    sent.add(entry, started, response["id"])
    return None


def _ready_to_send(entry, gateway):
    """The entry's message with its documents read (integrations.notify.files.Prepared), or None when it failed its
    checks (recorded on the entry): the Notify template it must still fit, and the documents it sends."""
    problem = template_problem(entry, gateway)
    if problem:
        _fail(entry, FailureKind.TEMPLATE_MISMATCH, problem)
        return None
    try:
        return files.prepare(entry)  # its documents, read now: never held for queued messages
    except files.DocumentUnavailable as unavailable:
        _fail(entry, FailureKind.VALIDATION, str(unavailable))
        return None
    except files.StorageUnavailable as unavailable:
        raise Retryable(str(unavailable), error_type="StorageError") from None


_templates = {}


def cached_template(integration, template_id, gateway):
    """The template as cached, fetched again from Notify when the cache is older than TEMPLATE_CACHE_SECONDS.

    This process keeps what it read until the cached copy expires, so a send reads no row for it.
    """
    now = timezone.now()
    key = (integration.pk, template_id)
    kept = _templates.get(key)
    if kept is not None and kept[1] > now:
        return kept[0]
    lifetime = datetime.timedelta(seconds=getattr(settings, "TEMPLATE_CACHE_SECONDS", 300))
    cached = NotifyTemplate.objects.filter(integration=integration, notify_id=template_id).first()
    if cached is None or cached.fetched_at < now - lifetime:
        cached = template_cache_store(integration=integration, template=gateway.template(template_id))
    _templates[key] = (cached, cached.fetched_at + lifetime)
    return cached


def template_problem(entry, gateway):
    """Why the entry must not be sent with the Notify template as it is now, or None.

    Compares the entry's personalisation with the template's placeholders, so a template edited in
    Notify after the mapping was made fails here, in words, instead of sending a broken message.
    """
    if not entry.template_id:
        return None
    try:
        template = cached_template(entry.integration, entry.template_id, gateway)
    except Permanent as error:
        if error.status_code != 404:
            raise
        return (f"Not sent: Notify has no template {entry.template_id} (was it deleted?). Choose another template "
                "in the mapping template, then resend.")
    given = {name.lower().replace(" ", "") for name in entry.personalisation}
    missing = [p for p in template.placeholders if p.lower().replace(" ", "") not in given]
    if not missing:
        return None
    names = ", ".join(f"(({name}))" for name in missing)
    mapping = f" '{entry.mapping_template_name}'" if entry.mapping_template_name else ""
    if entry.template_version and template.version != entry.template_version:
        return (f"Not sent (no call to Notify was made): the Notify template changed after this message was built "
                f"(version {entry.template_version} then, {template.version} now) and now needs {names}, which the "
                f"mapping template{mapping} does not fill. Update the mapping template, then build the message again "
                "from the case.")
    return (f"Not sent (no call to Notify was made): the message has no value for {names}, which the Notify "
            f"template (version {template.version}) needs. Check the mapping template{mapping}, then build the "
            "message again from the case.")


# What the sender changes on an entry: saving only these never writes back what an erasure or the retention purge
# removed meanwhile (its recipient and personalisation).
SENDER_FIELDS = ["status", "failure_kind", "reason", "next_attempt_at", "ambiguous", "attempt_count", "retry_count",
                 "updated_at"]


def _fail(entry, kind, reason):
    entry.status = Status.FAILED
    entry.failure_kind = kind
    entry.reason = reason
    entry.next_attempt_at = None
    entry.save(update_fields=SENDER_FIELDS)
    logger.warning("Log entry %s failed (%s)", entry.pk, kind, extra=log_fields(entry, failure_kind=kind))


def _retry_at(entry, when, reason, *, ambiguous=False, countdown=None):
    entry.status = Status.RETRYING
    entry.reason = reason
    entry.next_attempt_at = when
    entry.ambiguous = entry.ambiguous or ambiguous
    entry.save(update_fields=SENDER_FIELDS)
    logger.info("Log entry %s will be retried at %s", entry.pk, when.isoformat(),
                extra=log_fields(entry, retry_count=entry.retry_count, next_attempt_at=when.isoformat()))
    if countdown is not None:
        outbox.enqueue(entry.pk, countdown=countdown, bulk=bool(entry.bulk_job_id), integration_id=entry.integration_id)


def _handle_failure(entry, error, started):
    now = timezone.now()
    if isinstance(error, RateLimited):
        _record_attempt(entry, started=started, outcome=Outcome.RATE_LIMITED, error=error)
        rate = rate_for(entry.integration)
        limiter().pause(limiter_key(entry.integration), rate.refill_seconds)
        if entry.attempts.filter(outcome=Outcome.RATE_LIMITED).count() >= retry.MAX_RATE_LIMITED:
            _fail(entry, FailureKind.RETRIES_EXHAUSTED, f"Rate limited {retry.MAX_RATE_LIMITED} times: {error.reason}")
            return
        wait = rate.refill_seconds
        _retry_at(entry, now + datetime.timedelta(seconds=wait), error.reason, countdown=wait)
    elif isinstance(error, DailyLimit):
        _record_attempt(entry, started=started, outcome=Outcome.DAILY_LIMIT, error=error)
        # Picked up by the sweeper after midnight UTC: no long countdown on the broker.
        _retry_at(entry, retry.after_midnight_utc(now), f"{error.reason}. Will try again after midnight UTC")
    elif isinstance(error, Permanent):
        _record_attempt(entry, started=started, outcome=Outcome.FAILED, error=error)
        kind = FailureKind.VALIDATION if error.status_code == 400 else FailureKind.PERMANENT
        _fail(entry, kind, error.reason)
    else:
        _record_attempt(entry, started=started, outcome=Outcome.RETRY, error=error)
        entry.retry_count += 1
        if entry.retry_count > retry.MAX_RETRIES:
            _fail(entry, FailureKind.RETRIES_EXHAUSTED, f"Failed after {retry.MAX_RETRIES} retries: {error.reason}")
            raise RetriesExhausted(f"Log entry {entry.pk} failed after {retry.MAX_RETRIES} retries") from error
        delay = retry.backoff_seconds(entry.retry_count)
        _retry_at(entry, now + datetime.timedelta(seconds=delay), error.reason, ambiguous=error.ambiguous,
                  countdown=delay)
