"""Command line: `python -m notify_sandbox [serve] --port 6011 ...` and the set-up sub-commands.

    python -m notify_sandbox --port 6011 [--data FILE] [--rate-limit 3000/60] [--daily-limit N]
                             [--fail-rate F] [--timeout-rate F] [--timeout-seconds S] [--latency-ms N]
    python -m notify_sandbox create-service --service-name NAME [--trial] [--rate-limit N/SECONDS]
                             [--daily-limit email=N,sms=N,letter=N] [--team-member EMAIL_OR_PHONE ...]
    python -m notify_sandbox create-key --type test|team|live [--service-name NAME]   (prints the key)
    python -m notify_sandbox revoke-key KEY
    python -m notify_sandbox create-template --type email|sms|letter --name N [--subject S] --body B [--id ID]
    python -m notify_sandbox register-callback --type delivery_status|inbound_sms --url URL --bearer-token T
"""

import argparse
import logging
import signal
import sys
from pathlib import Path

from .callbacks import check_registration
from .control import parse_rate
from .server import Faults, Settings, make_server
from .store import DEFAULT_SERVICE, Store

DEFAULT_DATA = Path("var") / "notify-sandbox.sqlite3"


def _common(parser):
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the SQLite file that holds the sandbox's state")
    parser.add_argument("--service-name", default=DEFAULT_SERVICE)


def _daily_limits(text):
    limits = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        channel, _, number = part.partition("=")
        if channel not in ("email", "sms", "letter") or not number.isdigit():
            raise argparse.ArgumentTypeError("use email=N,sms=N,letter=N")
        limits[channel] = int(number)
    return limits


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m notify_sandbox", description="A local GOV.UK Notify API.")
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=6011)
    parser.add_argument("--rate-limit", default="3000/60", help="N/SECONDS per service and key type, or off")
    parser.add_argument("--daily-limit", type=int, default=0, help="messages per channel a day (0: no limit)")
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--timeout-rate", type=float, default=0.0)
    parser.add_argument("--timeout-seconds", type=float, default=40.0)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--delivery-seconds", type=float, default=3.0, help="how long until a message is delivered")
    parser.add_argument("--seed", type=int, default=None, help="seed for the fault dice")
    parser.add_argument("--strict-callbacks", action="store_true",
                        help="refuse http callback URLs on loopback too, as Notify refuses every http URL")
    parser.add_argument("--callback-retry-seconds", type=float, default=300.0,
                        help="wait before a failed callback is tried again (Notify: 300)")
    parser.add_argument("--quiet", action="store_true")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the server (the default)")
    service = commands.add_parser("create-service", help="create or update a service")
    _common(service)
    service.add_argument("--trial", action="store_true")
    service.add_argument("--rate-limit", dest="service_rate_limit")
    service.add_argument("--daily-limit", dest="service_daily_limit", type=_daily_limits)
    service.add_argument("--team-member", action="append", default=None)
    key = commands.add_parser("create-key", help="create an API key and print it")
    _common(key)
    key.add_argument("--type", choices=["test", "team", "live"], required=True)
    key.add_argument("--name", default=None)
    revoke = commands.add_parser("revoke-key", help="revoke an API key")
    _common(revoke)
    revoke.add_argument("key")
    template = commands.add_parser("create-template", help="create (or, with --id, edit) a template; prints its id")
    _common(template)
    template.add_argument("--type", choices=["email", "sms", "letter"], required=True)
    template.add_argument("--name", required=True)
    template.add_argument("--subject", default=None)
    template.add_argument("--body", required=True)
    template.add_argument("--id", default=None)
    callback = commands.add_parser("register-callback", help="register (or replace) one of the service's callbacks")
    _common(callback)
    callback.add_argument("--type", choices=["delivery_status", "inbound_sms"], default="delivery_status")
    callback.add_argument("--url", required=True)
    callback.add_argument("--bearer-token", required=True)
    callback.add_argument("--strict-callbacks", action="store_true")
    return parser


def serve(args):
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(asctime)s sandbox %(message)s")
    store = Store(args.data)
    store.ensure_service()
    rate, window = parse_rate(args.rate_limit)
    settings = Settings(rate_limit=rate, rate_window=window, daily_limit=args.daily_limit,
                        delivery_seconds=args.delivery_seconds, strict_callbacks=args.strict_callbacks)
    faults = Faults(fail_rate=args.fail_rate, timeout_rate=args.timeout_rate, timeout_seconds=args.timeout_seconds,
                    latency_ms=args.latency_ms, callback_retry_seconds=args.callback_retry_seconds)
    server = make_server(store, host=args.host, port=args.port, settings=settings, faults=faults, seed=args.seed)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    print(f"Notify sandbox listening on http://{args.host}:{server.server_address[1]} (data: {args.data})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command in (None, "serve"):
        serve(args)
        return 0
    store = Store(args.data)
    if args.command == "create-service":
        rate = parse_rate(args.service_rate_limit) if args.service_rate_limit else None
        service = store.save_service(args.service_name, trial=args.trial or None, rate_limit=rate,
                                     daily_limits=args.service_daily_limit, team=args.team_member)
        print(service["id"])
    elif args.command == "create-key":
        print(store.create_key(store.ensure_service(args.service_name)["id"], args.type, args.name))
    elif args.command == "revoke-key":
        if not store.revoke_key(args.key[-36:]):
            print("No such key", file=sys.stderr)
            return 1
    elif args.command == "register-callback":
        body = {"url": args.url, "bearer_token": args.bearer_token}
        problems = check_registration(body, strict=args.strict_callbacks)
        if problems:
            print("; ".join(p["message"] for p in problems), file=sys.stderr)
            return 1
        store.set_callback(store.ensure_service(args.service_name)["id"], args.type, body)
    elif args.command == "create-template":
        service = store.ensure_service(args.service_name)
        print(store.save_template(service["id"], template_type=args.type, name=args.name, body=args.body,
                                  subject=args.subject, template_id=args.id))
    return 0


if __name__ == "__main__":
    sys.exit(main())
