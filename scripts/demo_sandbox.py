"""Prepare the Notify sandbox for `make run`: a demo service, a test key and three templates.

Uses the sandbox's own command line on its data file and writes what the demo loader needs (address,
key, template ids) to var/demo-sandbox.json. Running it again reuses what is there.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "var" / "notify-sandbox.sqlite3"
OUT = ROOT / "var" / "demo-sandbox.json"
SERVICE = "Planning demo"
VERSION = 5  # a file written by an older script is made again
TEMPLATES = {  # key: (name, subject, body); the key's first word is the template type
    "email": ("Planning decision", "Decision on your planning application ((reference))",
              "Dear ((name)),\n\nWe have decided your application ((reference)) for ((address)).\n\n"
              "Decision: ((decision))\n\nDecision date: ((decision_date))\n\nPlanning team"),
    "sms": ("Site visit reminder", None,
            "Hello ((name)), a planning officer will visit ((address)) about application ((reference)). "
            "Reply STOP to opt out."),
    "letter": ("Decision letter", "Decision on application ((reference))",
               "Dear ((name)),\n\nYour application ((reference)) has been decided: ((decision))."),
    "email notice": ("Decision notice", "Your decision notice for planning application ((reference))",
                     "Dear ((name)),\n\nThe decision notice for your application ((reference)) is ready. Download it "
                     "here:\n\n((notice))\n\nPlanning team"),
    "sms reply": ("Reply from the planning team", None, "((message))\n\nPlanning team, application ((reference))"),
    "sms stop": ("Texts stopped", None,
                 "You will get no more texts about planning application ((reference)). We will write instead."),
}


def cli(*args):
    result = subprocess.run([sys.executable, "-m", "notify_sandbox", *args, "--data", str(DATA),
                             "--service-name", SERVICE], cwd=ROOT, check=True, capture_output=True, text=True)
    return result.stdout.strip()


def main():
    if OUT.exists() and DATA.exists() and json.loads(OUT.read_text()).get("version") == VERSION:
        print(f"Sandbox demo ready ({OUT})")
        return
    DATA.parent.mkdir(parents=True, exist_ok=True)
    cli("create-service")
    key = cli("create-key", "--type", "test", "--name", "demo")
    templates = {}
    for label, (name, subject, body) in TEMPLATES.items():
        kind = label.split()[0]
        args = ["create-template", "--type", kind, "--name", name, "--body", body]
        if subject:
            args += ["--subject", subject]
        templates[label] = {"id": cli(*args), "name": name, "subject": subject or "", "body": body, "type": kind}
    OUT.write_text(json.dumps({"base_url": "http://127.0.0.1:6011", "api_key": key, "templates": templates,
                               "data": str(DATA), "service_name": SERVICE, "version": VERSION}, indent=2))
    print(f"Sandbox demo prepared ({OUT})")


if __name__ == "__main__":
    main()
