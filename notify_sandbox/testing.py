"""Running the sandbox from tests and benchmarks: `SandboxServer` starts it in a subprocess.

    with SandboxServer(rate_limit="30/6") as sandbox:
        key = sandbox.create_key("test")
        template_id = sandbox.create_template("email", name="Hello", subject="Hi", body="Hello ((name))")
        client = NotificationsAPIClient(key, base_url=sandbox.base_url)
        ...
        assert sandbox.counts()["duplicates"] == {}
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SandboxServer:
    """A sandbox server on a free port with its own data file (kept across restart())."""

    def __init__(self, *, port=None, data=None, rate_limit="3000/60", daily_limit=0, fail_rate=0.0, timeout_rate=0.0,
                 timeout_seconds=40.0, latency_ms=0, delivery_seconds=3.0, seed=1):
        self.port = port or free_port()
        self._tmp = None if data else tempfile.TemporaryDirectory(prefix="notify-sandbox-")
        self.data = str(data or Path(self._tmp.name) / "sandbox.sqlite3")
        self.options = ["--rate-limit", str(rate_limit), "--daily-limit", str(daily_limit), "--fail-rate",
                        str(fail_rate), "--timeout-rate", str(timeout_rate), "--timeout-seconds", str(timeout_seconds),
                        "--latency-ms", str(latency_ms), "--delivery-seconds", str(delivery_seconds),
                        "--seed", str(seed)]
        self.process = None
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self):
        # Output goes to a file, never a pipe nobody reads: a full pipe would block the server.
        self.log_path = Path(self.data).with_suffix(".log")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "notify_sandbox", "--port", str(self.port), "--data", self.data, "--quiet",
                 *self.options],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sandbox exited: {self.log_path.read_text()[-2000:]}")
            try:
                self.control("GET", "health")
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("sandbox did not start within 20 seconds")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        self.stop()
        if self._tmp:
            self._tmp.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # The control API ------------------------------------------------------------------------------
    def control(self, method, path, body=None, timeout=10):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base_url}/_sandbox/{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def create_service(self, name="Sandbox service", *, trial=None, rate_limit=None, daily_limits=None, team=None):
        """Create or update a service; returns its id."""
        body = {"name": name, "trial": trial, "rate_limit": rate_limit, "daily_limits": daily_limits, "team": team}
        return self.control("POST", "services", {k: v for k, v in body.items() if v is not None})["id"]

    def create_key(self, key_type="test", *, service_name="Sandbox service", name=None):
        """A new API key in Notify's format: {name}-{service id}-{secret}."""
        return self.control("POST", "keys", {"type": key_type, "service_name": service_name, "name": name})["key"]

    def revoke_key(self, key):
        return self.control("POST", "keys/revoke", {"key": key})["revoked"]

    def create_template(self, template_type, *, name="Template", body, subject=None, template_id=None,
                        service_name="Sandbox service"):
        """Create a template (or, with template_id, edit it: a new version). Returns its id."""
        return self.control("POST", "templates", {"type": template_type, "name": name, "body": body,
                                                  "subject": subject, "id": template_id,
                                                  "service_name": service_name})["id"]

    def notifications(self, reference=None):
        query = f"?reference={reference}" if reference else ""
        return self.control("GET", f"notifications{query}")["notifications"]

    def counts(self):
        return self.control("GET", "counts")

    def reset(self):
        return self.control("POST", "reset", {})

    def set_faults(self, **faults):
        return self.control("POST", "faults", faults)
