"""Demo offices: plausible placeholder addresses and 555 phone numbers."""

from datetime import time

from django.db import transaction

from pages.models import Office, OpeningHours

from . import spanish

OFFICES = [
    {
        "slug": "los-angeles",
        "name": "Los Angeles",
        "reference_prefix": "LAX",
        "street_address": "1200 Wilshire Boulevard, Suite 410",
        "city": "Los Angeles",
        "postal_code": "90017",
        "phone": "+13105550142",
        "consultation_email": "losangeles@example.org",
        "directions": (
            "Paid parking is in the building garage on the west side; bring your ticket and we "
            "will validate it.\n\nThe 7th St/Metro Center station is a short walk away. "
            "Take the elevator to the fourth floor; Suite 410 is on the left."
        ),
        "latitude": "34.052235",
        "longitude": "-118.263685",
        "sort_order": 1,
    },
    {
        "slug": "encino",
        "name": "Encino",
        "reference_prefix": "ENC",
        "street_address": "16500 Ventura Boulevard, Suite 220",
        "city": "Encino",
        "postal_code": "91436",
        "phone": "+18185550167",
        "consultation_email": "encino@example.org",
        "directions": (
            "Free parking is behind the building; the entrance is on the parking side.\n\n"
            "Metro bus lines on Ventura Boulevard stop in front. Suite 220 is on the second "
            "floor, and there is an elevator."
        ),
        "latitude": "34.158940",
        "longitude": "-118.493130",
        "sort_order": 2,
    },
]

WEEKDAY_HOURS = [(day, time(8, 30), time(17, 0)) for day in range(5)]


@transaction.atomic
def load_offices() -> list[Office]:
    offices = []
    for data in OFFICES:
        fields = dict(data)
        # The demo text is English, whatever language is active; Spanish has its own column.
        for field_name in ("name", "directions"):
            fields[f"{field_name}_en"] = fields.pop(field_name)
            fields[f"{field_name}_es"] = spanish.OFFICES[data["slug"]][field_name]
        office, _ = Office.objects.update_or_create(slug=fields.pop("slug"), defaults=fields)
        office.hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(office=office, weekday=day, opens=opens, closes=closes)
            for day, opens, closes in WEEKDAY_HOURS
        )
        offices.append(office)
    return offices
