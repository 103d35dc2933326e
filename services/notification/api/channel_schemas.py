"""What notification's request models share: the channels a message goes on, and its languages."""

from __future__ import annotations

from typing import Literal

Channel = Literal["sms", "wechat", "app_push", "email", "voice"]
Language = Literal["zh", "en"]
