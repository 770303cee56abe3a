"""Template placeholders and rendering, as Notify does them.

- ((name)) is replaced by the personalisation value; names match ignoring case and spaces.
- ((name??text)) shows `text` when the value is "yes"/true, nothing otherwise.
- A list value renders as a bulleted list in emails, and as "a, b and c" in text messages and letters.
- Every placeholder of the template is required; extra personalisation is ignored.
"""

import re

PLACEHOLDER = re.compile(r"\(\(([^()]+?)\)\)")
TRUTHY = {"yes", "true", "1", "y"}


def _key(name):
    return re.sub(r"\s+", "", name).lower()


def _parts(raw):
    """(name, conditional text or None) of a placeholder's inside."""
    name, marker, text = raw.partition("??")
    return name.strip(), (text if marker else None)


def placeholders(template):
    """The template's placeholder names, in order, once each (subject first)."""
    seen, names = set(), []
    for text in (template.get("subject") or "", template.get("body") or ""):
        for match in PLACEHOLDER.finditer(text):
            name, _ = _parts(match.group(1))
            if _key(name) not in seen:
                seen.add(_key(name))
                names.append(name)
    return names


def missing(template, personalisation, *, skip=()):
    """Placeholder names with no value in the personalisation (address lines of letters skipped)."""
    given = {_key(k) for k in (personalisation or {})}
    return [name for name in placeholders(template) if _key(name) not in given and _key(name) not in skip]


def _as_text(value, channel):
    if isinstance(value, list):
        items = [str(v) for v in value]
        if channel == "email":
            return "\n" + "\n".join(f"* {item}" for item in items) + "\n"
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} and {items[-1]}"
    if value is None:
        return ""
    return str(value)


def render(text, personalisation, channel):
    if not text:
        return text
    values = {_key(k): v for k, v in (personalisation or {}).items()}

    def replace(match):
        name, conditional = _parts(match.group(1))
        value = values.get(_key(name))
        if conditional is not None:
            return conditional if str(value).strip().lower() in TRUTHY or value is True else ""
        return _as_text(value, channel)

    return PLACEHOLDER.sub(replace, text)


def render_template(template, personalisation):
    """(subject, body) with the personalisation filled in."""
    channel = template["type"]
    subject = render(template.get("subject"), personalisation, channel) if channel != "sms" else None
    return subject, render(template["body"], personalisation, channel)
