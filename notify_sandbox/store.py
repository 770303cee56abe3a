"""The sandbox's state in one SQLite file: services, API keys, templates with versions, notifications.

The server and the command line share the file; every read goes to the database, so a template
edited from the command line while the server runs is seen at once. One connection per thread.
"""

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path

SCHEMA = """
create table if not exists services (
    id text primary key, name text unique not null, trial integer not null default 0,
    rate_limit integer, rate_window integer, daily_limits text not null default '{}',
    team text not null default '[]', callback text not null default '{}');
create table if not exists api_keys (
    id text primary key, service_id text not null, name text not null, key_type text not null,
    secret text not null, revoked integer not null default 0, created_at real not null);
create table if not exists templates (
    id text primary key, service_id text not null, type text not null, name text not null,
    version integer not null, created_at real not null);
create table if not exists template_versions (
    template_id text not null, version integer not null, name text not null, subject text, body text not null,
    created_at real not null, primary key (template_id, version));
create table if not exists notifications (
    seq integer primary key autoincrement, id text unique not null, service_id text not null,
    key_type text not null, type text not null, reference text, template_id text, template_version integer,
    recipient text, personalisation text not null default '{}', body text, subject text, postage text,
    address text, final_status text not null, created_at real not null, simulated integer not null default 0);
create index if not exists notifications_by_reference on notifications (service_id, reference);
create index if not exists notifications_by_service on notifications (service_id, seq);
create table if not exists letter_pdfs (id text primary key, pdf blob not null);
create table if not exists received_texts (
    seq integer primary key autoincrement, id text unique not null, service_id text not null,
    user_number text not null, notify_number text not null, content text not null, created_at real not null);
"""
DEFAULT_SERVICE = "Sandbox service"


class Store:
    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._db().executescript(SCHEMA)
        self._upgrade()

    def _upgrade(self):
        """Add the columns that a data file made by an older sandbox lacks."""
        with self.connection() as db:
            columns = {row["name"] for row in db.execute("pragma table_info(notifications)")}
            if "simulated" not in columns:
                db.execute("alter table notifications add column simulated integer not null default 0")

    def connection(self):
        """A transaction on this thread's connection: `with store.connection() as db: ...`."""
        return _Transaction(self._db())

    def _db(self):
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("pragma journal_mode=wal")
            db.execute("pragma synchronous=normal")
            db.execute("pragma busy_timeout=30000")
            self._local.db = db
        return db

    # Services -------------------------------------------------------------------------------------
    def service_by_name(self, name):
        with self.connection() as db:
            row = db.execute("select * from services where name = ?", (name,)).fetchone()
        return _service(row)

    def service(self, service_id):
        with self.connection() as db:
            row = db.execute("select * from services where id = ?", (service_id,)).fetchone()
        return _service(row)

    def save_service(self, name, *, trial=None, rate_limit=None, daily_limits=None, team=None):
        """Create the service or update the settings given. Returns the service."""
        with self.connection() as db:
            row = db.execute("select id from services where name = ?", (name,)).fetchone()
            if row is None:
                db.execute("insert into services (id, name) values (?, ?)", (str(uuid.uuid4()), name))
            updates = {}
            if trial is not None:
                updates["trial"] = int(trial)
            if rate_limit is not None:
                updates["rate_limit"], updates["rate_window"] = rate_limit
            if daily_limits is not None:
                updates["daily_limits"] = json.dumps(daily_limits)
            if team is not None:
                updates["team"] = json.dumps(sorted({m.strip().lower() for m in team}))
            for column, value in updates.items():
                db.execute(f"update services set {column} = ? where name = ?", (value, name))
        return self.service_by_name(name)

    def ensure_service(self, name=DEFAULT_SERVICE):
        return self.service_by_name(name) or self.save_service(name)

    def set_callback(self, service_id, callback_type, callback):
        """Register a service's callback of one type (delivery_status or inbound_sms), replacing any before."""
        with self.connection() as db:
            row = db.execute("select callback from services where id = ?", (service_id,)).fetchone()
            callbacks = json.loads(row["callback"] or "{}") if row else {}
            callbacks = {k: v for k, v in callbacks.items() if k in ("delivery_status", "inbound_sms")}
            callbacks[callback_type] = callback
            db.execute("update services set callback = ? where id = ?", (json.dumps(callbacks), service_id))

    def services(self):
        with self.connection() as db:
            return [_service(row) for row in db.execute("select * from services order by name")]

    # Keys -----------------------------------------------------------------------------------------
    def create_key(self, service_id, key_type, name=None):
        key_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
        name = name or f"{key_type}_key"
        with self.connection() as db:
            db.execute(
                "insert into api_keys (id, service_id, name, key_type, secret, created_at) values (?, ?, ?, ?, ?, ?)",
                (key_id, service_id, name, key_type, secret, time.time()),
            )
        return f"{name}-{service_id}-{secret}"

    def keys(self, service_id):
        with self.connection() as db:
            return [dict(r) for r in db.execute("select * from api_keys where service_id = ?", (service_id,))]

    def revoke_key(self, secret):
        with self.connection() as db:
            return db.execute("update api_keys set revoked = 1 where secret = ?", (secret,)).rowcount

    # Templates ------------------------------------------------------------------------------------
    def save_template(self, service_id, *, template_type, name, body, subject=None, template_id=None):
        """Create a template, or edit one (a new version). Returns its id."""
        now = time.time()
        with self.connection() as db:
            row = db.execute("select * from templates where id = ?", (template_id,)).fetchone() if template_id else None
            if row is None:
                template_id = template_id or str(uuid.uuid4())
                version = 1
                db.execute("insert into templates (id, service_id, type, name, version, created_at) values (?, ?, ?, ?, ?, ?)",
                           (template_id, service_id, template_type, name, version, now))
            else:
                version = row["version"] + 1
                db.execute("update templates set version = ?, name = ? where id = ?", (version, name, template_id))
            db.execute(
                "insert into template_versions (template_id, version, name, subject, body, created_at) values (?, ?, ?, ?, ?, ?)",
                (template_id, version, name, subject, body, now),
            )
        return template_id

    def template(self, service_id, template_id, version=None):
        with self.connection() as db:
            head = db.execute("select * from templates where id = ? and service_id = ?", (template_id, service_id)).fetchone()
            if head is None:
                return None
            row = db.execute("select * from template_versions where template_id = ? and version = ?",
                             (template_id, version or head["version"])).fetchone()
        if row is None:
            return None
        return {"id": head["id"], "type": head["type"], "name": row["name"], "version": row["version"],
                "subject": row["subject"], "body": row["body"], "created_at": row["created_at"],
                "created_by": "sandbox@notifications.service.gov.uk"}

    def templates(self, service_id, template_type=None):
        with self.connection() as db:
            rows = db.execute("select id from templates where service_id = ? and (? is null or type = ?) order by created_at",
                              (service_id, template_type, template_type)).fetchall()
        return [self.template(service_id, r["id"]) for r in rows]

    # Notifications --------------------------------------------------------------------------------
    def add_notification(self, notification):
        fields = dict(notification)
        fields["personalisation"] = json.dumps(fields.get("personalisation") or {})
        fields["address"] = json.dumps(fields.get("address")) if fields.get("address") else None
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        with self.connection() as db:
            db.execute(f"insert into notifications ({columns}) values ({marks})", tuple(fields.values()))

    def add_letter_pdf(self, notification_id, pdf):
        with self.connection() as db:
            db.execute("insert or replace into letter_pdfs (id, pdf) values (?, ?)", (notification_id, pdf))

    def letter_pdf(self, notification_id):
        with self.connection() as db:
            row = db.execute("select pdf from letter_pdfs where id = ?", (notification_id,)).fetchone()
        return bytes(row["pdf"]) if row else None

    def notification(self, service_id, notification_id):
        """A notification Notify holds (never one sent to a simulated recipient), or None."""
        with self.connection() as db:
            row = db.execute("select * from notifications where id = ? and service_id = ? and simulated = 0",
                             (notification_id, service_id)).fetchone()
        return _notification(row)

    def notifications(self, *, service_id=None, reference=None, template_types=(), key_type=None,
                      older_than_seq=None, limit=None, include_simulated=False):
        """Newest first. Notify's API sees only what Notify stores; the control API asks for the simulated too."""
        clauses, args = ["1 = 1" if include_simulated else "simulated = 0"], []
        for column, value in (("service_id", service_id), ("reference", reference), ("key_type", key_type)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if template_types:
            clauses.append(f"type in ({', '.join('?' for _ in template_types)})")
            args.extend(template_types)
        if older_than_seq is not None:
            clauses.append("seq < ?")
            args.append(older_than_seq)
        sql = f"select * from notifications where {' and '.join(clauses)} order by seq desc"
        if limit:
            sql += f" limit {int(limit)}"
        with self.connection() as db:
            return [_notification(r) for r in db.execute(sql, args)]

    def seq_of(self, service_id, notification_id):
        with self.connection() as db:
            row = db.execute("select seq from notifications where id = ? and service_id = ?",
                             (notification_id, service_id)).fetchone()
        return row["seq"] if row else None

    def count_today(self, service_id, template_type):
        midnight = time.time() - (time.time() % 86400)
        with self.connection() as db:
            return db.execute(
                "select count(*) from notifications where service_id = ? and type = ? and key_type != 'test' and created_at >= ?",
                (service_id, template_type, midnight),
            ).fetchone()[0]

    def reference_counts(self):
        with self.connection() as db:
            rows = db.execute("select reference, count(*) as n from notifications where reference is not null group by reference")
            return {r["reference"]: r["n"] for r in rows}

    # Received text messages -----------------------------------------------------------------------
    def add_received_text(self, service_id, user_number, content, notify_number="07700900000"):
        text_id = str(uuid.uuid4())
        with self.connection() as db:
            db.execute("insert into received_texts (id, service_id, user_number, notify_number, content, created_at) values (?, ?, ?, ?, ?, ?)",
                       (text_id, service_id, user_number, notify_number, content, time.time()))
        return text_id

    def received_text(self, text_id):
        with self.connection() as db:
            row = db.execute("select * from received_texts where id = ?", (text_id,)).fetchone()
        return dict(row) if row else None

    def received_texts(self, service_id, older_than=None, limit=250):
        with self.connection() as db:
            seq = None
            if older_than:
                row = db.execute("select seq from received_texts where id = ?", (older_than,)).fetchone()
                seq = row["seq"] if row else 0
            rows = db.execute("select * from received_texts where service_id = ? and (? is null or seq < ?) order by seq desc limit ?",
                              (service_id, seq, seq, limit)).fetchall()
        return [dict(r) for r in rows]

    def reset(self):
        with self.connection() as db:
            db.execute("delete from notifications")
            db.execute("delete from letter_pdfs")
            db.execute("delete from received_texts")


class _Transaction:
    """`with store.connection() as db:` runs the block in one transaction on this thread's connection."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("begin immediate")
        return self.db

    def __exit__(self, kind, value, traceback):
        self.db.execute("rollback" if kind else "commit")


def _service(row):
    if row is None:
        return None
    service = dict(row)
    service["daily_limits"] = json.loads(service["daily_limits"])
    service["team"] = json.loads(service["team"])
    service["callback"] = json.loads(service["callback"])
    service["trial"] = bool(service["trial"])
    return service


def _notification(row):
    if row is None:
        return None
    notification = dict(row)
    notification["personalisation"] = json.loads(notification["personalisation"] or "{}")
    notification["address"] = json.loads(notification["address"]) if notification["address"] else None
    return notification
