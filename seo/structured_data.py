"""schema.org JSON-LD for each page type, built from the same objects the page shows."""

from django.conf import settings

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def absolute(path: str) -> str:
    return path if path.startswith("http") else f"{settings.SITE_URL}{path}"


def breadcrumb_list(crumbs: list[tuple[str, str]]) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute(url)}
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def medical_clinic(office) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": f"{settings.SITE_NAME} – {office.name}",
        "url": absolute(office.get_absolute_url()),
        "telephone": office.phone,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": office.street_address,
            "addressLocality": office.city,
            "addressRegion": office.state,
            "postalCode": office.postal_code,
            "addressCountry": "US",
        },
        "openingHoursSpecification": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{WEEKDAYS[slot.weekday]}",
                "opens": slot.opens.strftime("%H:%M"),
                "closes": slot.closes.strftime("%H:%M"),
            }
            for slot in office.hours.all()
        ],
    }
    if office.latitude is not None and office.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(office.latitude),
            "longitude": float(office.longitude),
        }
    return data


def physician(person, image_url: str = "") -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Physician",
        "name": person.name,
        "url": absolute(person.get_absolute_url()),
    }
    if person.honorific:
        # schema.org keeps "Dr."/"Dra." apart from the name, in the page's language.
        data["honorificPrefix"] = person.honorific
    if person.credentials:
        data["description"] = person.credentials
    if image_url:
        data["image"] = absolute(image_url)
    return data


def _therapy(treatment) -> dict:
    return {
        "@type": "MedicalTherapy",
        "name": treatment.title,
        "description": treatment.summary,
        "url": absolute(treatment.get_absolute_url()),
    }


def treatment_page(treatment, image_url: str = "") -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": treatment.title,
        "description": treatment.summary,
        "url": absolute(treatment.get_absolute_url()),
        "about": _therapy(treatment),
        "audience": {"@type": "Patient"},
    }
    if treatment.last_reviewed:
        data["lastReviewed"] = treatment.last_reviewed.isoformat()
    if treatment.reviewed_by_id:
        reviewer = physician(treatment.reviewed_by)
        reviewer.pop("@context")
        data["reviewedBy"] = reviewer
    if image_url:
        data["primaryImageOfPage"] = {"@type": "ImageObject", "url": absolute(image_url)}
    return data


def faq_page(faqs) -> dict | None:
    from search.indexing import html_to_text

    entries = [
        {
            "@type": "Question",
            "name": faq.question,
            "acceptedAnswer": {"@type": "Answer", "text": html_to_text(faq.answer_html)},
        }
        for faq in faqs
    ]
    if not entries:
        return None
    return {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": entries}


def medical_condition(condition, treatments) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "MedicalCondition",
        "name": condition.name,
        "description": condition.description,
        "url": absolute(condition.get_absolute_url()),
        "possibleTreatment": [_therapy(treatment) for treatment in treatments],
    }
