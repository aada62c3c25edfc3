"""Second factors with django-otp: an authenticator app (TOTP) and one-time recovery codes."""

import base64
import logging
from base64 import b32encode

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def app_device(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    return app_device(user) is not None


def pending_app_device(user) -> TOTPDevice:
    """The unconfirmed authenticator device being set up, made on first use."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// link as a QR code, an SVG drawn here (no image service)."""
    # Imported here: only setting up an app draws a QR code; page workers need not load it.
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def readable_key(device: TOTPDevice) -> str:
    """The secret key as people type it into an app: base32 in groups of four."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm_app_device(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with its first code; the new recovery codes, or None if the code is wrong."""
    if not verify_token(device.user, device.persistent_id, code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Only one authenticator app: any other set up before is replaced by this one.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with new ones; shown once, stored as issued."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verified_device(user, code: str, *, app_code: bool):
    """The device that accepts code (the app's for six digits, else a recovery code), or None."""
    device = app_device(user) if app_code else recovery_device(user)
    if device is None:
        return None
    return verify_token(user, device.persistent_id, code)


def throttled(user, *, app_code: bool) -> bool:
    """True while django-otp holds back tries after wrong codes on that device."""
    device = app_device(user) if app_code else recovery_device(user)
    return device is not None and not device.verify_is_allowed()[0]


@transaction.atomic
def reset_devices(*, user, by) -> int:
    """Remove every second factor of user (a lost phone), recorded in admin's history."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    LogEntry.objects.log_actions(
        user_id=by.pk,
        queryset=[user],
        action_flag=CHANGE,
        change_message=(
            "Reset two-step sign-in (lost device): authenticator app and recovery codes "
            "removed; a new one is set up at the next sign-in."
        ),
        single_object=True,
    )
    logger.info("User %s reset the two-step sign-in of user %s", by.pk, user.pk)
    return removed
