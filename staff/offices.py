"""Which offices' requests a staff member may see."""

from django.contrib.auth import get_user_model

from pages.models import Office

from .models import StaffProfile

ALL = None  # "every office", as office_ids_for() says it


def office_ids_for(user) -> list[int] | None:
    """The ids of the offices whose requests user may see; None means every office.

    Superusers and profiles marked "all offices" see every office; anyone else only the
    offices of their profile, and no office at all without one.
    """
    if user.is_superuser:
        return ALL
    # Cached on the user object, so one request asks the database once.
    cached = getattr(user, "_staff_office_ids", False)
    if cached is not False:
        return cached
    profile = StaffProfile.objects.filter(user=user).first() if user.pk else None
    if profile is None:
        ids = []
    elif profile.all_offices:
        ids = ALL
    else:
        ids = list(profile.offices.values_list("pk", flat=True))
    user._staff_office_ids = ids
    return ids


def scoped_to_offices(queryset, user, *, office_field: str = "office"):
    """queryset narrowed to the offices user may see."""
    ids = office_ids_for(user)
    if ids is ALL:
        return queryset
    return queryset.filter(**{f"{office_field}__in": ids})


def visible_offices(user):
    """The offices user may see, for dashboards and filters."""
    ids = office_ids_for(user)
    offices = Office.objects.all()
    return offices if ids is ALL else offices.filter(pk__in=ids)


def staff_emails_for_office(office) -> list[str]:
    """Addresses of active staff who work for office and asked for its new-request emails."""
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            is_staff=True,
            staff_profile__notify_new_requests=True,
        )
        .exclude(email="")
    )
    in_office = users.filter(staff_profile__all_offices=True) | users.filter(
        staff_profile__offices=office
    )
    return sorted({user.email for user in in_office.distinct()})
