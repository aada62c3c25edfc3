"""Every write to consultation requests goes through these small functions."""

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from .consent import consent_evidence
from .models import ConsultationRequest, PurgeRun, StatusChange
from .notifications import queue_notifications

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
) -> tuple[ConsultationRequest, bool]:
    """Save a request, then email the office and patient after commit; (request, created).

    cleaned is a valid ConsultationRequestForm's cleaned_data. A form sent twice is recognised
    by its unique form_token when the insert fails, so the common case costs no lookup first.
    The request, its first status and its notifications are saved in one transaction.
    """
    now = timezone.now()
    office = cleaned["office"]
    consultation = ConsultationRequest(
        **{field: cleaned.get(field) or "" for field in SUBMISSION_FIELDS if field != "treatment"},
        treatment=cleaned.get("treatment"),
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


def assign(consultation: ConsultationRequest, user) -> bool:
    """Give a request to a staff member; False if it already was theirs."""
    if consultation.assigned_to_id == getattr(user, "pk", None):
        return False
    consultation.assigned_to = user
    consultation.save(update_fields=["assigned_to", "updated_at"])
    return True


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
