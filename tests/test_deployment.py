"""docker-compose.yml and the production settings: what a deployment relies on."""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_VARIABLES = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ALLOWED_HOSTS"}


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_names_the_stack():
    services = compose()["services"]
    assert set(services) == {"proxy", "postgres", "redis", "web", "worker", "case-worker", "beat"}
    assert "gunicorn config.wsgi" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A config worker")
    # One case's messages have a worker of their own, so a bulk apply never holds them up.
    assert "--queues=case-sends" in services["case-worker"]["command"]
    assert services["beat"]["command"].startswith("celery -A config beat")


def test_only_the_tls_proxy_is_published_and_only_it_is_trusted_with_forwarded_headers():
    config = compose()
    services = config["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert set(services["proxy"]["ports"]) == {"80:80", "443:443"}
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    assert services["web"]["environment"]["TRUSTED_PROXIES"] == proxy_address
    assert "web:8000" in services["proxy"]["command"]


def test_app_services_share_one_environment():
    services = compose()["services"]
    for name in ("web", "worker", "case-worker", "beat"):
        assert set(services[name]["environment"]) >= APP_VARIABLES, name
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert set(services[name]["depends_on"]) == {"postgres", "redis"}


def production_settings(**extra_env):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
        "ALLOWED_HOSTS": "notify.example.gov.uk",
        **extra_env,
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ['DEBUG', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE',"
        "'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'CONTENT_SECURITY_POLICY']}, default=str))"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_is_https_only_with_hsts_and_csp():
    result = production_settings(FIELD_ENCRYPTION_KEYS="dGVzdC1rZXktb25lLW5vdC1zZWNyZXQtMzItYnl0ZXM=")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert "script-src" in values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]


def test_production_refuses_to_start_without_encryption_keys():
    result = production_settings()
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_every_service_has_a_health_check():
    """The stack's orchestrator restarts what stopped: each service says how to tell (the web app by /healthz)."""
    services = compose()["services"]
    missing = [name for name, service in services.items() if "healthcheck" not in service]
    assert missing == []
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_health_check_answers_over_plain_http_whatever_the_host(client, settings):
    """docker-compose.yml's check asks http://127.0.0.1:8000/healthz: production redirects plain HTTP and may allow
    only its public host name, and neither may fail the check."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["notify.council.example"]
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert client.get("/cases/", HTTP_HOST="127.0.0.1:8000").status_code == 400  # everything else still checks
