"""PROVISIONAL gateway for the pipeline branch; merged with the settings issue's gateway later.

The one object that builds the Notify client for an integration and talks to Notify.
"""

from notifications_python_client.notifications import NotificationsAPIClient

from .errors import classify

TIMEOUT_SECONDS = 10


class NotifyGateway:
    def __init__(self, integration, *, timeout=TIMEOUT_SECONDS):
        self.integration = integration
        self._client = NotificationsAPIClient(integration.api_key, base_url=integration.base_url, timeout=timeout)

    def _call(self, method, *args, **kwargs):
        try:
            return getattr(self._client, method)(*args, **kwargs)
        except Exception as error:  # every failure is classified; classify re-raises what it doesn't know
            raise classify(error) from error

    def send(self, entry):
        """Send a log entry's message; returns Notify's response (with its `id`)."""
        if entry.channel == "email":
            return self._call(
                "send_email_notification",
                email_address=entry.recipient,
                template_id=entry.template_id,
                personalisation=entry.personalisation or None,
                reference=entry.reference,
                email_reply_to_id=entry.email_reply_to_id or None,
                sanitise_content_for=entry.sanitise_content_for or None,
            )
        if entry.channel == "sms":
            return self._call(
                "send_sms_notification",
                phone_number=entry.recipient,
                template_id=entry.template_id,
                personalisation=entry.personalisation or None,
                reference=entry.reference,
                sms_sender_id=entry.sms_sender_id or None,
            )
        return self._call("send_letter_notification", template_id=entry.template_id,
                          personalisation=entry.personalisation, reference=entry.reference)

    def find_by_reference(self, reference):
        """The notification Notify holds with this reference, or None."""
        found = self._call("get_all_notifications", reference=reference)
        notifications = found.get("notifications") or []
        return notifications[0] if notifications else None

    def get_notification(self, notify_id):
        return self._call("get_notification_by_id", str(notify_id))
