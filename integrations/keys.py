"""The shape of a Notify API key: `{key name}-{service id}-{secret}`, both ids UUIDs (pure functions)."""

import re
import uuid
from dataclasses import dataclass

KEY_SHAPE_HELP = (
    "A Notify API key looks like name-of-key-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0: "
    "the key's name, then the service ID and the secret (two IDs of 36 characters). Copy it whole from "
    "API integration in Notify."
)


@dataclass(frozen=True)
class ApiKey:
    name: str
    service_id: str
    secret: str

    @property
    def hint(self):
        """What may be shown of a key: its name and the secret's last 4 characters."""
        return f"{self.name}-…{self.secret[-4:]}"


def parse_api_key(text):
    """Split a key into its parts, or raise ValueError saying what a key looks like."""
    key = (text or "").strip()
    if re.search(r"\s", key) or len(key) < 74 or key[-37] != "-" or key[-74] != "-":
        raise ValueError(KEY_SHAPE_HELP)
    service_id, secret = key[-73:-37], key[-36:]
    try:
        uuid.UUID(service_id)
        uuid.UUID(secret)
    except ValueError:
        raise ValueError(KEY_SHAPE_HELP) from None
    return ApiKey(name=key[:-74] or "key", service_id=service_id, secret=secret)
