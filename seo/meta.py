"""What each page tells search engines and link previews: title, description, image, breadcrumbs,
canonical address and schema.org data, built once per page type from the objects it shows."""

from dataclasses import dataclass, field

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext

from pages.templatetags.pictures import rendition_url

from . import structured_data

# 1200x630, the size link previews use; for pages with no picture of their own.
DEFAULT_SHARE_IMAGE = "img/share-default.png"


def home_crumb() -> tuple[str, str]:
    """The first breadcrumb, in the page's language: ("Inicio", "/es/") on Spanish pages."""
    return (gettext("Home"), reverse("pages:home"))


@dataclass
class PageMeta:
    title: str
    description: str = ""
    path: str = ""
    image_url: str = ""
    og_type: str = "website"
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)
    structured_data: list[dict] = field(default_factory=list)

    @property
    def canonical_url(self) -> str:
        return structured_data.absolute(self.path) if self.path else ""

    @property
    def absolute_image_url(self) -> str:
        """The page's own picture, or the practice's default one for shared links."""
        return structured_data.absolute(self.image_url or static(DEFAULT_SHARE_IMAGE))

    @property
    def json_ld(self) -> list[dict]:
        blocks = [block for block in self.structured_data if block]
        if len(self.breadcrumbs) > 1:
            blocks.append(structured_data.breadcrumb_list(self.breadcrumbs))
        return blocks


def _describe(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(160)


def for_home() -> PageMeta:
    return PageMeta(
        title=gettext("Stem cell therapy and PRP in Los Angeles and Encino"),
        description=gettext(
            "Regenerative and orthopedic care for knee, hip, shoulder, back and tendon problems "
            "at our Los Angeles and Encino offices."
        ),
        path=reverse("pages:home"),
    )


def for_listing(title: str, description: str, url_name: str) -> PageMeta:
    path = reverse(url_name)
    return PageMeta(
        title=title, description=description, path=path, breadcrumbs=[home_crumb(), (title, path)]
    )


def for_treatment_list() -> PageMeta:
    return for_listing(
        gettext("Treatments"),
        gettext(
            "Regenerative treatments we offer in Los Angeles and Encino, California, "
            "explained in plain words."
        ),
        "pages:treatment_list",
    )


def for_condition_list() -> PageMeta:
    return for_listing(
        gettext("Conditions we treat"),
        gettext(
            "Joint, tendon, ligament and back problems we treat, grouped by the part of the body."
        ),
        "pages:condition_list",
    )


def for_treatment(treatment) -> PageMeta:
    path = treatment.get_absolute_url()
    image = rendition_url(treatment.hero_renditions, treatment.hero_image)
    return PageMeta(
        title=treatment.seo_title or treatment.title,
        description=_describe(treatment.seo_description or treatment.summary),
        path=path,
        image_url=image,
        og_type="article",
        breadcrumbs=[
            home_crumb(),
            (gettext("Treatments"), reverse("pages:treatment_list")),
            (treatment.title, path),
        ],
        structured_data=[
            structured_data.treatment_page(treatment, image_url=image),
            structured_data.faq_page(treatment.faqs.all()),
        ],
    )


def for_condition(condition, treatments) -> PageMeta:
    path = condition.get_absolute_url()
    return PageMeta(
        title=condition.seo_title or condition.name,
        description=_describe(condition.seo_description or condition.description),
        path=path,
        breadcrumbs=[
            home_crumb(),
            (gettext("Conditions"), reverse("pages:condition_list")),
            (condition.name, path),
        ],
        structured_data=[structured_data.medical_condition(condition, treatments)],
    )


def for_office(office) -> PageMeta:
    path = office.get_absolute_url()
    return PageMeta(
        title=gettext("%(name)s office") % {"name": office.name},
        description=gettext(
            "Our %(name)s office at %(street)s, %(city)s: phone, opening hours and directions."
        )
        % {"name": office.name, "street": office.street_address, "city": office.city},
        path=path,
        breadcrumbs=[
            home_crumb(),
            (gettext("Locations"), reverse("pages:office_list")),
            (office.name, path),
        ],
        structured_data=[structured_data.medical_clinic(office)],
    )


def for_office_list(offices) -> PageMeta:
    meta = for_listing(
        gettext("Locations"),
        gettext(
            "Our offices in Los Angeles and Encino, California: addresses, phone numbers, "
            "opening hours and directions."
        ),
        "pages:office_list",
    )
    meta.structured_data = [structured_data.medical_clinic(office) for office in offices]
    return meta


def for_physician(physician) -> PageMeta:
    path = physician.get_absolute_url()
    image = rendition_url(physician.photo_renditions, physician.photo)
    name = physician.display_name
    if physician.credentials:
        name = f"{name}, {physician.credentials}"
    return PageMeta(
        title=physician.display_name,
        description=_describe(
            gettext("%(name)s, at %(site)s.") % {"name": name, "site": settings.SITE_NAME}
        ),
        path=path,
        image_url=image,
        og_type="profile",
        breadcrumbs=[home_crumb(), (physician.display_name, path)],
        structured_data=[structured_data.physician(physician, image_url=image)],
    )


def for_site_page(page) -> PageMeta:
    path = page.get_absolute_url()
    return PageMeta(
        title=page.seo_title or page.title,
        description=_describe(page.seo_description or page.title),
        path=path,
        breadcrumbs=[home_crumb(), (page.title, path)],
    )


# What each public page view tells search engines, built from the context the view rendered.
BUILDERS = {
    "pages:home": lambda context: for_home(),
    "pages:treatment_list": lambda context: for_treatment_list(),
    "pages:treatment": lambda context: for_treatment(context["treatment"]),
    "pages:treatment_draft": lambda context: for_treatment(context["treatment"]),
    "pages:condition_list": lambda context: for_condition_list(),
    "pages:condition": lambda context: for_condition(
        context["condition"], context["condition"].live_treatments
    ),
    "pages:condition_draft": lambda context: for_condition(
        context["condition"], context["condition"].live_treatments
    ),
    "pages:physician": lambda context: for_physician(context["physician"]),
    "pages:physician_draft": lambda context: for_physician(context["physician"]),
    "pages:site_page": lambda context: for_site_page(context["page"]),
    "pages:site_page_short": lambda context: for_site_page(context["page"]),
    "pages:site_page_draft": lambda context: for_site_page(context["page"]),
    "pages:office_list": lambda context: for_office_list(context["offices"]),
    "pages:office": lambda context: for_office(context["office"]),
}
