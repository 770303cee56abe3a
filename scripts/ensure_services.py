"""Make sure PostgreSQL and Redis answer before the tests run.

Checks the servers named by DATABASE_URL and REDIS_URL (defaults: the local ones the test settings use).
A local server that is installed but stopped is started; one that is missing ends the run with a
message that says what to install or set. Uses only the standard library, psycopg and redis.
"""

import glob
import os
import shutil
import subprocess
import sys
import time
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/notify_cases"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


def fail(message):
    print(f"\nmake test: {message}\n", file=sys.stderr)
    sys.exit(2)


def wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def postgres_answers(url):
    import psycopg

    parts = urlparse(url)
    try:
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=3,
        ):
            return True
    except psycopg.OperationalError:
        return False


def redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError:
        return False


def start_postgres():
    if not shutil.which("pg_ctlcluster") or not glob.glob("/etc/postgresql/*"):
        return False
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    print(f"Starting PostgreSQL {version}...")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False)
    return True


def start_redis():
    if not shutil.which("redis-server"):
        return False
    print("Starting Redis...")
    os.makedirs("/tmp/redis-notify-cases", exist_ok=True)
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
         "--appendonly", "no", "--dir", "/tmp/redis-notify-cases"],
        check=False,
    )
    return True


def ensure(name, url, answers, start, install_hint):
    if answers(url):
        print(f"{name} answers at {urlparse(url).hostname}:{urlparse(url).port}.")
        return
    if urlparse(url).hostname not in LOCAL_HOSTS:
        fail(f"{name} does not answer at {url.split('@')[-1]}. Start it, or point the URL elsewhere.")
    if not start():
        fail(f"{name} is not running on this machine and is not installed. {install_hint}")
    if not wait_for(lambda: answers(url)):
        fail(f"{name} was started but does not answer at {url.split('@')[-1]}. See its log.")
    print(f"{name} started.")


def main():
    ensure(
        "PostgreSQL",
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        postgres_answers,
        start_postgres,
        "Install it (Debian: apt-get install postgresql) or set DATABASE_URL to a PostgreSQL server.",
    )
    ensure(
        "Redis",
        os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
        redis_answers,
        start_redis,
        "Install it (Debian: apt-get install redis-server) or set REDIS_URL to a Redis server.",
    )


if __name__ == "__main__":
    main()
