"""Every write to consultation requests goes through these small functions."""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from .consent import consent_evidence
from .forms import ConsultationRequestForm
from .models import ConsultationRequest, PurgeRun, StatusChange
from .notifications import queue_notifications
from .spam import RateLimiter, read_form_token

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L or U: easy to read aloud over the phone and never spells a word by accident.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
REFERENCE_ATTEMPTS = 5

SUBMISSION_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "phone_extension",
    "office",
    "treatment",
    "patient_status",
    "contact_method",
    "preferred_days",
    "preferred_time",
    "message",
    "payment",
]


def submission_values(values) -> tuple:
    """What the patient chose and wrote, comparable between a form and a stored request."""
    plain = [field for field in SUBMISSION_FIELDS if field not in {"office", "treatment"}]
    if isinstance(values, ConsultationRequest):
        chosen = {field: getattr(values, field) for field in plain}
        chosen.update(
            office=values.office_id,
            treatment=values.treatment_id,
            consent_to_texts=values.consent_to_texts,
        )
    else:
        chosen = {field: values.get(field) or "" for field in plain}
        chosen.update(
            office=values["office"].pk,
            treatment=getattr(values.get("treatment"), "pk", None),
            consent_to_texts=bool(values.get("consent_to_texts")),
        )
    return tuple(sorted(chosen.items()))


def correction_token(first: ConsultationRequest, cleaned: dict) -> str:
    """The form token of a correction: one per distinct set of details, so sending the same
    correction twice stores it once."""
    digest = hashlib.sha256(repr(submission_values(cleaned)).encode()).hexdigest()[:20]
    return f"{first.form_token}.{digest}"


def generate_reference(prefix: str) -> str:
    """Office prefix and six random characters, e.g. ENC-7K3F9Q: short, not guessable."""
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{suffix}"


def submit_consultation_request(
    *,
    cleaned: dict,
    form_token: str,
    spam_reason: str = "",
    language: str = "",
    medical_warning_shown: bool = False,
    over_rate_limit: bool = False,
    corrects: ConsultationRequest | None = None,
) -> tuple[ConsultationRequest, bool]:
    """Save a request, then email the office and patient after commit; (request, created).

    cleaned is a valid ConsultationRequestForm's cleaned_data. A form sent twice is recognised
    by its unique form_token when the insert fails, so the common case costs no lookup first.
    The request, its first status and its notifications are saved in one transaction.
    """
    now = timezone.now()
    office = cleaned["office"]
    treatment = cleaned.get("treatment")
    consultation = ConsultationRequest(
        **{field: cleaned.get(field) or "" for field in SUBMISSION_FIELDS if field != "treatment"},
        treatment=treatment,
        # In English for staff, whichever language the patient read it in.
        treatment_name=(treatment.title_en or treatment.title) if treatment else "",
        consent_version=cleaned["consent_version"],
        consent_text=consent_evidence(
            version=cleaned["consent_version"],
            contact=cleaned["consent_to_contact"],
            texts=cleaned["consent_to_texts"],
        ),
        consent_to_contact=cleaned["consent_to_contact"],
        consent_to_texts=cleaned["consent_to_texts"],
        consented_at=now,
        form_token=form_token,
        language=language[:12],
        medical_warning_shown=medical_warning_shown,
        over_rate_limit=over_rate_limit,
        corrects=corrects,
        status=ConsultationRequest.Status.SPAM if spam_reason else ConsultationRequest.Status.NEW,
        spam_reason=spam_reason,
        created_at=now,
        reference=generate_reference(office.reference_prefix),
    )
    # The model's checks, once, without queries: the form read the office and treatment from
    # their querysets, and uniqueness and the check constraints are left to the database, which
    # also settles races between workers.
    consultation.full_clean(
        exclude={"office", "treatment"}, validate_unique=False, validate_constraints=False
    )
    for attempt in range(1, REFERENCE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                consultation.save(force_insert=True)
                StatusChange.objects.create(
                    consultation=consultation,
                    from_status="",
                    to_status=consultation.status,
                    changed_at=now,
                )
                if not consultation.is_spam:
                    queue_notifications(consultation, new=True)
            return consultation, True
        except IntegrityError:
            # Nothing was kept: the whole transaction is rolled back before trying again.
            existing = ConsultationRequest.objects.filter(form_token=form_token).first()
            if existing:
                return existing, False
            collided = ConsultationRequest.objects.filter(reference=consultation.reference).exists()
            if not collided or attempt == REFERENCE_ATTEMPTS:
                raise
            consultation.reference = generate_reference(office.reference_prefix)
    raise AssertionError("unreachable: the last attempt returns or raises")


@dataclass(frozen=True)
class Reception:
    """What the patient is shown after sending the consultation form.

    show is "thanks" (the request is stored under reference), "form" (shown again with its
    errors, the medical-detail notice or the apology that nothing was stored) or
    "rate_limited" (the page with the phone numbers; kept says whether it was stored).
    """

    show: str
    status: int = 200
    form: ConsultationRequestForm | None = None
    reference: str = ""
    kept: bool = False
    medical_findings: tuple[str, ...] = ()
    save_failed: bool = False


def spam_reason_of(form: ConsultationRequestForm, token) -> str:
    """Why a valid form looks sent by a bot: a filled honeypot, or sent too fast (or tokenless)."""
    if form.honeypot_filled:
        return ConsultationRequest.SpamReason.HONEYPOT
    if token is None or token.filled_too_fast():
        return ConsultationRequest.SpamReason.TOO_FAST
    return ""


def receive_consultation_request(*, data, client_ip: str, language: str = "") -> Reception:
    """Decide what becomes of a posted consultation form, store it if it is to be kept.

    In order: errors send the form back; a form sent again is recognised by its token (and
    kept as a correction if its details changed); the one-time notice about medical detail
    sends the form back; bots are stored as spam; over the rate limit a request is stored for
    staff (up to a point) and the patient is asked to phone.
    """
    token = read_form_token(data.get("token"))
    first = ConsultationRequest.objects.filter(form_token=token.nonce).first() if token else None

    form = ConsultationRequestForm(data)
    if not form.is_valid():
        return Reception("form", status=400, form=form)
    if first:
        # The same form sent again: unchanged (back button, double click), it gets the thanks
        # page of what is stored; changed, it is kept as a correction of the first request.
        latest = first.corrections.order_by("-created_at", "-pk").first() or first
        if submission_values(latest) == submission_values(form.cleaned_data):
            return Reception("thanks", reference=latest.reference)
    if form.needs_medical_warning:
        form.mark_medical_warning_shown()
        return Reception("form", form=form, medical_findings=tuple(form.medical_findings))

    spam_reason = spam_reason_of(form, token)
    limit = RateLimiter().hit(client_ip)
    if not limit.allowed and not limit.kept_for_review:
        logger.warning("Consultation form: rate limit far exceeded; request not stored")
        return Reception("rate_limited", status=429, kept=False)

    if first:
        form_token = correction_token(first, form.cleaned_data)
    else:
        form_token = token.nonce if token else secrets.token_urlsafe(16)
    try:
        consultation, _ = submit_consultation_request(
            cleaned=form.cleaned_data,
            form_token=form_token,
            corrects=first,
            spam_reason=spam_reason,
            language=language,
            medical_warning_shown=bool(form.cleaned_data.get("medical_checked")),
            over_rate_limit=not limit.allowed,
        )
    except DatabaseError:
        # Rare (e.g. a locked database for longer than the busy timeout): keep what they typed.
        logger.exception("Consultation form: the request could not be saved")
        return Reception("form", status=503, form=form, save_failed=True)
    except ValidationError as error:
        # The model refused what the form accepted: a bug of ours, not the patient's input.
        # Field names only in the log; the page keeps what they typed and offers the phones.
        fields = sorted(error.message_dict) if hasattr(error, "error_dict") else ["(form)"]
        logger.error("Consultation form: the model refused fields %s", ", ".join(fields))
        return Reception("form", status=400, form=form, save_failed=True)

    if not limit.allowed:
        return Reception("rate_limited", status=429, kept=True)
    return Reception("thanks", reference=consultation.reference)


@transaction.atomic
def change_status(consultation: ConsultationRequest, to_status: str, *, by) -> bool:
    """Move a request to a new status and record who did it; False if nothing changed."""
    current = ConsultationRequest.objects.select_for_update().get(pk=consultation.pk)
    if current.status == to_status:
        return False
    from_status = current.status
    current.status = to_status
    if to_status == ConsultationRequest.Status.SPAM:
        current.spam_reason = ConsultationRequest.SpamReason.STAFF
    current.save(update_fields=["status", "spam_reason", "updated_at"])
    StatusChange.objects.create(
        consultation=current, from_status=from_status, to_status=to_status, changed_by=by
    )
    if from_status == ConsultationRequest.Status.SPAM:
        # "Not spam": send the emails the request missed while it was held back.
        queue_notifications(current)
    consultation.status = current.status
    consultation.spam_reason = current.spam_reason
    consultation.updated_at = current.updated_at
    return True


def assign(consultation: ConsultationRequest, *, to) -> bool:
    """Give a request to a staff member (to=None: to nobody); False if it already was theirs."""
    now = timezone.now()
    # Compared in the database, not on the instance (an admin form has already changed it).
    changed = (
        ConsultationRequest.objects.filter(pk=consultation.pk)
        .exclude(assigned_to=to)
        .update(assigned_to=to, updated_at=now)
    )
    if changed:
        consultation.assigned_to = to
        consultation.updated_at = now
    return bool(changed)


@transaction.atomic
def purge_old_requests(
    *, retention_days: int, dry_run: bool = False, now: datetime | None = None
) -> PurgeRun:
    """Delete closed and spam requests unchanged for retention_days; record counts only."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    in_scope = ConsultationRequest.objects.purgeable(cutoff)
    by_status = dict(
        in_scope.order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    if not dry_run:
        # Notes, history and notifications go with them (on_delete=CASCADE).
        in_scope.delete()
    return PurgeRun.objects.create(
        dry_run=dry_run,
        retention_days=retention_days,
        cutoff=cutoff,
        removed_count=sum(by_status.values()),
        removed_by_status=dict(sorted(by_status.items())),
    )
