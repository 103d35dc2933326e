"""E-mail over SMTP (STARTTLS when the server offers it and the account asks)."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Any

from services.notification.providers import Answer, Outgoing


class SmtpEmail:
    name = "smtp"

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s

    async def send(self, outgoing: Outgoing, account: dict[str, Any]) -> Answer:
        to = outgoing.address.get("email")
        if not to:
            return Answer(ok=False, permanent=True, answer={"error": "no e-mail address"})
        mail = EmailMessage()
        mail["From"] = account["sender"]
        mail["To"] = to
        mail["Subject"] = outgoing.subject or outgoing.body[:40]
        mail["Message-ID"] = f"<{outgoing.message_id}@estatedesk>"
        mail.set_content(outgoing.body)
        try:
            refused = await asyncio.to_thread(self._send, mail, account)
        except smtplib.SMTPRecipientsRefused as error:
            return Answer(ok=False, permanent=True, answer={"refused": {k: str(v) for k, v in error.recipients.items()}})
        except (smtplib.SMTPException, OSError) as error:
            return Answer(ok=False, answer={"error": repr(error)})
        return Answer(ok=not refused, answer={"accepted": [to], "refused": list(refused)}, permanent=bool(refused))

    def _send(self, mail: EmailMessage, account: dict[str, Any]) -> dict:
        with smtplib.SMTP(account["host"], int(account["port"]), timeout=self.timeout_s) as client:
            if account.get("starttls"):
                client.starttls()
            if account.get("access_key_id"):
                client.login(account["access_key_id"], account.get("access_key_secret", ""))
            return client.send_message(mail)
