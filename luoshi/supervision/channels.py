"""The outside channels a reminder goes through: e-mail, WeCom and DingTalk group robots, SMS.

Each `send_*` function sends one message and raises `ChannelError` when it did not go out
(the task then retries it later). Robot base URLs come from settings, because government
deployments run private WeCom / DingTalk servers on the intranet:

    SUPERVISION_WECOM_BASE_URL     default https://qyapi.weixin.qq.com
    SUPERVISION_DINGTALK_BASE_URL  default https://oapi.dingtalk.com
    SUPERVISION_SMS_GATEWAY        dotted path of an SmsGateway subclass
                                   (default: LoggingSmsGateway, which only logs)

Message formats: WeCom group robot, https://developer.work.weixin.qq.com/document/path/91770
(POST /cgi-bin/webhook/send?key=KEY, {"msgtype": "text", "text": {"content": ...}});
DingTalk custom robot (POST /robot/send?access_token=TOKEN, {"msgtype": "text",
"text": {"content": ...}}, signed with timestamp and HmacSHA256 when a secret is set). Both
answer {"errcode": 0, "errmsg": "ok"} on success.
"""

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10


class ChannelError(Exception):
    """The message did not go out; the text says why."""


def _base(name: str, default: str) -> str:
    return getattr(settings, name, "") or default


def _post_json(url: str, payload: dict) -> dict:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ChannelError(f"POST {urllib.parse.urlsplit(url).netloc}: {error}") from error
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise ChannelError(f"not a JSON answer: {body[:200]!r}") from error
    if answer.get("errcode") != 0:
        raise ChannelError(f"robot refused: {answer.get('errcode')} {answer.get('errmsg')}")
    return answer


def wecom_payload(text: str, mobiles=()) -> dict:
    content = {"content": text}
    if mobiles:
        content["mentioned_mobile_list"] = list(mobiles)
    return {"msgtype": "text", "text": content}


def send_wecom(key: str, text: str) -> None:
    base = _base("SUPERVISION_WECOM_BASE_URL", "https://qyapi.weixin.qq.com").rstrip("/")
    url = f"{base}/cgi-bin/webhook/send?{urllib.parse.urlencode({'key': key})}"
    _post_json(url, wecom_payload(text))


def dingtalk_payload(text: str, mobiles=()) -> dict:
    return {
        "msgtype": "text",
        "text": {"content": text},
        "at": {"atMobiles": list(mobiles), "isAtAll": False},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HmacSHA256(secret, "timestamp\\nsecret"))."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send_dingtalk(token: str, text: str, secret: str = "") -> None:
    base = _base("SUPERVISION_DINGTALK_BASE_URL", "https://oapi.dingtalk.com").rstrip("/")
    query = {"access_token": token}
    if secret:
        # DingTalk checks the signature's timestamp against its own clock: the real time.
        timestamp = int(time.time() * 1000)  # noqa: TID251
        query.update(timestamp=str(timestamp), sign=dingtalk_sign(secret, timestamp))
    _post_json(f"{base}/robot/send?{urllib.parse.urlencode(query)}", dingtalk_payload(text))


def send_email(address: str, subject: str, text: str) -> None:
    try:
        send_mail(subject, text, None, [address])
    except OSError as error:
        raise ChannelError(f"mail to {address}: {error}") from error


class SmsGateway:
    """What a deployment implements to send SMS through its provider or government gateway.

    Subclass it, implement `send()` (raise ChannelError when the message did not go out) and
    name the class in SUPERVISION_SMS_GATEWAY.
    """

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsGateway(SmsGateway):
    """Writes the message to the log instead of sending it (development and tests)."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)
        self.sent.append((phone, text))


def sms_gateway() -> SmsGateway:
    path = getattr(settings, "SUPERVISION_SMS_GATEWAY", "") or (
        "luoshi.supervision.channels.LoggingSmsGateway"
    )
    return import_string(path)()


def send_sms(phone: str, text: str) -> None:
    sms_gateway().send(phone, text)
