from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .claims import UnsupportedClaim, find_numeric_claims, unsupported_claims
from .images import CheckedImageField, renditions_after_commit
from .markdown import render_markdown_fields
from .readability import Readability, grade_html, grade_markdown


def english(field_name: str) -> str:
    """The form field editors fill in for the English text of a translated field."""
    return f"{field_name}_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}"


class SearchEngineFields(models.Model):
    """Optional wording for search results and shared links; the page's own is used if empty."""

    seo_title = models.CharField(
        "search engine title",
        max_length=70,
        blank=True,
        help_text="Optional. The title shown in search results; the page title is used if empty.",
    )
    seo_description = models.CharField(
        "search engine description",
        max_length=160,
        blank=True,
        help_text="Optional. The snippet shown in search results and shared links.",
    )

    class Meta:
        abstract = True


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Waiting for review")
    APPROVED = "approved", _("Approved, going live at its set time")
    PUBLISHED = "published", _("Published")


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """What the public sees: never a draft, whether of a new page or of a live one."""
        return self.filter(status=PublicationStatus.PUBLISHED)

    def drafts(self):
        return self.exclude(status=PublicationStatus.PUBLISHED)

    def pages(self):
        """One row per page: live pages and new pages, without the drafts of live pages."""
        return self.filter(draft_of__isnull=True)

    def waiting_for_review(self):
        return self.filter(status=PublicationStatus.IN_REVIEW)

    def due_to_go_live(self, now=None):
        return self.filter(status=PublicationStatus.APPROVED, go_live_at__lte=now or timezone.now())


class Publishable(models.Model):
    """A page patients read that goes live only once approved, changed through drafts.

    A draft of a live page is a row of the same model pointing at the live row (`draft_of`),
    with its own sections; publishing copies it onto the live row (pages/drafts.py).
    """

    Status = PublicationStatus
    DRAFT_URL_NAME = ""  # the view that previews a draft, e.g. "pages:treatment_draft"

    status = models.CharField(
        max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.PUBLISHED
    )
    draft_of = models.OneToOneField(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="draft",
        help_text="The live page this draft will replace once it is published.",
    )
    go_live_at = models.DateTimeField(
        "goes live at",
        null=True,
        blank=True,
        editable=False,
        help_text="When an approved draft is published (by the publish_scheduled command).",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_note = models.TextField(
        "reviewer's note",
        blank=True,
        editable=False,
        help_text="Why a clinical reviewer sent this draft back.",
    )

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.status != PublicationStatus.PUBLISHED

    @property
    def is_draft_of_live_page(self) -> bool:
        return self.draft_of_id is not None

    def preview_url(self) -> str:
        """The draft's address for staff: the public layout, never cached."""
        return reverse(self.DRAFT_URL_NAME, kwargs={"slug": self.live_page.slug})

    @property
    def live_page(self):
        """The row patients see for this page: the live row of a draft, or this row."""
        return self.draft_of if self.draft_of_id else self

    def draft_or_none(self):
        """This live page's draft, if an editor has started one."""
        return type(self).objects.filter(draft_of=self).first() if self.pk else None

    def clean(self):
        super().clean()
        # Slugs are unique among pages (a constraint forms cannot check: its condition names a
        # field they do not show); a draft must not take another page's either.
        slug = getattr(self, "slug", None)
        if slug:
            others = type(self).objects.pages().filter(slug=slug).exclude(pk=self.pk)
            if self.draft_of_id:
                others = others.exclude(pk=self.draft_of_id)
            if others.exists():
                raise ValidationError(
                    {"slug": "Another page already uses this address. Please choose another."},
                    code="slug_taken",
                )


def publishable_constraints(label: str) -> list:
    """The invariants every publishable model keeps, named after the model."""
    return [
        models.UniqueConstraint(
            fields=["slug"],
            condition=Q(draft_of__isnull=True),
            name=f"{label}_slug_unique_among_pages",
            violation_error_message="Another page already uses this address. "
            "Please choose another.",
        ),
        models.CheckConstraint(
            condition=Q(status__in=PublicationStatus.values), name=f"{label}_status_valid"
        ),
        # A draft of a live page goes live by being copied onto it, never by itself.
        models.CheckConstraint(
            condition=Q(draft_of__isnull=True) | ~Q(status=PublicationStatus.PUBLISHED),
            name=f"{label}_draft_is_never_published",
        ),
    ]


class BodyArea(models.TextChoices):
    KNEE = "knee", _("Knee")
    HIP = "hip", _("Hip")
    SHOULDER = "shoulder", _("Shoulder")
    SPINE = "spine", _("Back and spine")
    HAND = "hand", _("Hand and wrist")
    FOOT = "foot", _("Foot and ankle")
    OTHER = "other", _("Other areas")


class Physician(Publishable):
    DRAFT_URL_NAME = "pages:physician_draft"

    honorific = models.CharField(
        "title",
        max_length=20,
        blank=True,
        help_text="Shown before the name, e.g. “Dr.”; in Spanish “Dr.” or “Dra.”.",
    )
    name = models.CharField(max_length=120, help_text="Without the title, e.g. “Ana Ruiz”.")
    slug = models.SlugField()
    credentials = models.CharField(
        max_length=200, blank=True, help_text="e.g. “MD, board-certified in orthopedic surgery”."
    )
    bio = models.TextField(blank=True, help_text="Markdown. A few short paragraphs.")
    bio_html = models.TextField(blank=True, editable=False)
    photo = CheckedImageField(
        upload_to="physicians/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        help_text="JPEG, PNG or WebP, up to 10 MB. Smaller copies for phones are made on save.",
    )
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    # Stored so pages can give the image its size without opening the file.
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = models.CharField(
        "photo description",
        max_length=200,
        blank=True,
        help_text="What the photo shows, for patients who cannot see it.",
    )
    offices = models.ManyToManyField(
        "Office",
        blank=True,
        related_name="physicians",
        help_text="The offices where this physician sees patients; their pages list them.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="physician_profiles",
        verbose_name="staff account",
        help_text="This physician's admin account, if they review pages: their approval "
        "names them as the reviewer.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("publish_physician", "Can approve and publish physician profiles")]
        constraints = [
            *publishable_constraints("physician"),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(user__isnull=False, draft_of__isnull=True),
                name="physician_one_profile_per_account",
                violation_error_message="This staff account is linked to another physician.",
            ),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        render_markdown_fields(self, "bio", "bio_html")
        super().save(*args, **kwargs)
        renditions_after_commit(self, "photo", "photo_renditions")

    def get_absolute_url(self):
        return reverse("pages:physician", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        """The name as patients read it, with the title in the page's language: “Dra. Ana Ruiz”."""
        return " ".join(part for part in (self.honorific, self.name) if part)

    def readability(self) -> Readability | None:
        return grade_html(self.bio_html)

    def clean(self):
        super().clean()
        if self.photo and not self.photo_alt.strip():
            raise ValidationError(
                {
                    english(
                        "photo_alt"
                    ): "Please describe the photo for patients who use a screen reader."
                },
                code="alt_required",
            )


class Condition(SearchEngineFields, Publishable):
    DRAFT_URL_NAME = "pages:condition_draft"

    name = models.CharField(max_length=120)
    slug = models.SlugField()
    body_area = models.CharField(max_length=20, choices=BodyArea.choices, default=BodyArea.OTHER)
    description = models.TextField(
        help_text="One or two plain sentences a patient sees in listings and on the page."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("publish_condition", "Can approve and publish condition pages")]
        constraints = [
            models.CheckConstraint(
                condition=Q(body_area__in=BodyArea.values), name="condition_body_area_valid"
            ),
            *publishable_constraints("condition"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pages:condition", kwargs={"slug": self.slug})


def group_by_body_area(conditions) -> list[tuple[str, list[Condition]]]:
    """Conditions grouped under their body area, areas in the order patients expect."""
    groups: dict[str, list[Condition]] = {area: [] for area in BodyArea.values}
    for condition in conditions:
        groups.setdefault(condition.body_area, []).append(condition)
    labels = dict(BodyArea.choices)
    return [(labels.get(area, area), items) for area, items in groups.items() if items]


class SiteSettings(models.Model):
    """Site-wide defaults editors can change; there is one row."""

    default_regulatory_notice = models.TextField(
        blank=True,
        help_text="Shown near the top of every treatment page that has no notice of its own.",
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    @classmethod
    def load(cls) -> "SiteSettings":
        settings, _ = cls.objects.get_or_create(pk=1)
        return settings

    @classmethod
    def default_notice(cls) -> tuple[str, str]:
        """The site-wide regulatory notice and its language, read without writing (pages call
        this on GET): the page's language when written in it, otherwise English."""
        default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        language = (get_language() or default).split("-")[0]
        languages = [language, default] if language != default else [default]
        row = (
            cls.objects.filter(pk=1)
            .values_list(*[f"default_regulatory_notice_{code}" for code in languages])
            .first()
        )
        for code, text in zip(languages, row or (), strict=False):
            if text and text.strip():
                return text, code
        return "", default


TreatmentStatus = PublicationStatus

# How long a clinician's review holds; the next review falls due after it.
REVIEW_PERIOD = timedelta(days=365)
# Reviewers hear of a review this long before it falls due.
REVIEW_NOTICE = timedelta(days=30)


class TreatmentQuerySet(PublishableQuerySet):
    def published(self, on=None):
        return self.filter(
            status=Treatment.Status.PUBLISHED, published_on__lte=on or timezone.localdate()
        )

    def review_overdue(self):
        return self.filter(next_review_due__lt=timezone.localdate())

    def review_due_soon(self):
        """Live pages whose next review falls within REVIEW_NOTICE, or has passed."""
        return self.filter(
            status=Treatment.Status.PUBLISHED,
            next_review_due__lte=timezone.localdate() + REVIEW_NOTICE,
        )

    def for_page(self):
        """Everything the treatment page shows, public or previewed, in five queries."""
        return self.select_related("reviewed_by").prefetch_related(
            "sections",
            "faqs",
            "references",
            Prefetch(
                "conditions",
                queryset=Condition.objects.published().only("slug", "name").order_by("name"),
            ),
        )


class Treatment(SearchEngineFields, Publishable):
    DRAFT_URL_NAME = "pages:treatment_draft"

    title = models.CharField(max_length=120)
    slug = models.SlugField()
    summary = models.TextField(
        max_length=300,
        help_text="Two plain sentences a patient sees on cards and in search results.",
    )
    hero_image = CheckedImageField(
        upload_to="treatments/",
        blank=True,
        width_field="hero_image_width",
        height_field="hero_image_height",
        help_text="JPEG, PNG or WebP, up to 10 MB. Smaller copies for phones are made on save.",
    )
    hero_renditions = models.JSONField(default=dict, blank=True, editable=False)
    # Stored so pages can give the image its size without opening the file.
    hero_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_image_alt = models.CharField(
        "hero image description",
        max_length=200,
        blank=True,
        help_text="What the image shows, for patients who cannot see it. Required with an image.",
    )
    status = models.CharField(
        max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    published_on = models.DateField(
        default=timezone.localdate,
        help_text="A published treatment stays hidden until this date.",
    )
    conditions = models.ManyToManyField(Condition, blank=True, related_name="treatments")
    reviewed_by = models.ForeignKey(
        Physician,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_treatments",
        limit_choices_to={"draft_of__isnull": True},
        help_text="The clinician who checked this page.",
    )
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="When the reviewing physician last checked this page."
    )
    next_review_due = models.DateField(
        null=True, blank=True, help_text="Usually a year after the last review."
    )
    regulatory_notice = models.TextField(
        blank=True,
        help_text="e.g. the FDA status of this therapy. Empty: the site-wide default is shown.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        permissions = [("publish_treatment", "Can approve and publish treatment pages")]
        constraints = [
            *publishable_constraints("treatment"),
            models.CheckConstraint(
                condition=Q(next_review_due__gt=F("last_reviewed"))
                | Q(next_review_due__isnull=True)
                | Q(last_reviewed__isnull=True),
                name="treatment_next_review_after_last",
                violation_error_message="The next review must come after the last review.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        renditions_after_commit(self, "hero_image", "hero_renditions")

    def get_absolute_url(self):
        return reverse("pages:treatment", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.hero_image and not self.hero_image_alt.strip():
            raise ValidationError(
                {english("hero_image_alt"): "Please describe the image for screen reader users."},
                code="alt_required",
            )
        if (
            self.last_reviewed
            and self.next_review_due
            and self.next_review_due <= self.last_reviewed
        ):
            raise ValidationError(
                {"next_review_due": "The next review must come after the last review."},
                code="review_order",
            )

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_on <= timezone.localdate()

    @property
    def is_review_overdue(self) -> bool:
        return bool(self.next_review_due and self.next_review_due < timezone.localdate())

    @property
    def is_review_due_soon(self) -> bool:
        return bool(
            self.next_review_due and self.next_review_due <= timezone.localdate() + REVIEW_NOTICE
        )

    def readability(self) -> Readability | None:
        """Reading grade of everything a patient reads on the page, taken as one text."""
        parts = [format_html("<p>{}</p>", self.summary)]
        parts += [section.body_html for section in self.sections.all()]
        for faq in self.faqs.all():
            parts += [format_html("<p>{}</p>", faq.question), faq.answer_html]
        return grade_html("\n".join(parts))

    def numeric_claims(self) -> list[str]:
        """Claims with a number in them ("6-8 weeks"), which should have a reference."""
        texts = [self.summary]
        texts += [section.body for section in self.sections.all()]
        texts += [faq.answer for faq in self.faqs.all()]
        return find_numeric_claims(*texts)

    def unsupported_claims(self) -> list[UnsupportedClaim]:
        """Sentences, English and Spanish, that state a claim without citing a reference."""
        languages = dict(settings.LANGUAGES)
        parts, summary = [], []
        for code, language in languages.items():
            summary.append((language, getattr(self, f"summary_{code}") or ""))
            for section in self.sections.all():
                parts.append(
                    (section.display_heading, language, getattr(section, f"body_{code}") or "")
                )
            for faq in self.faqs.all():
                where = f"Question “{getattr(faq, f'question_{code}') or faq.question}”"
                parts.append((where, language, getattr(faq, f"answer_{code}") or ""))
        approved = ClaimApproval.objects.approved_sentences(page=self.live_page)
        return unsupported_claims(
            parts,
            summary=summary,
            reference_count=len(self.references.all()),
            approved=approved,
        )


# Ids the treatment page uses for its own parts; an "other" section never takes them.
RESERVED_ANCHORS = {"main-content", "on-this-page", "references", "review", "disclaimer"}


class SectionKind(models.TextChoices):
    OVERVIEW = "overview", _("Overview")
    CONDITIONS = "conditions", _("Conditions treated")
    CANDIDATES = "candidates", _("Who is a candidate")
    PROCEDURE = "procedure", _("How the procedure is performed")
    RISKS = "risks", _("Risks and side effects")
    RECOVERY = "recovery", _("Recovery")
    FAQ = "faq", _("Frequently asked questions")
    OTHER = "other", _("Other")


class TreatmentSection(models.Model):
    Kind = SectionKind

    # These list the treatment's FAQ entries or conditions, so their text is optional.
    KINDS_WITH_ENTRIES = {Kind.FAQ, Kind.CONDITIONS}

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    heading = models.CharField(
        max_length=150, blank=True, help_text="Leave empty to use the section kind as heading."
    )
    anchor = models.SlugField(max_length=60, blank=True, editable=False)
    body = models.TextField(
        blank=True,
        help_text=(
            "Markdown. Short paragraphs and lists read best; use ### for a sub-heading. "
            "Cite the first reference as [1] in any sentence with a number or a promise. "
            "May stay empty for the FAQ and conditions sections, which list their entries."
        ),
    )
    body_html = models.TextField(blank=True, editable=False)
    sort_order = models.PositiveSmallIntegerField(default=0)
    draft_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["treatment", "kind"],
                condition=~Q(kind="other"),
                name="one_section_per_kind",
                violation_error_message="This treatment already has a section of this kind.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SectionKind.values), name="section_kind_valid"
            ),
        ]

    def __str__(self):
        return self.display_heading

    def save(self, *args, **kwargs):
        render_markdown_fields(self, "body", "body_html")
        self.anchor = self.unique_anchor()
        super().save(*args, **kwargs)

    def clean(self):
        if not self.body.strip() and self.kind not in self.KINDS_WITH_ENTRIES:
            raise ValidationError(
                {english("body"): "Please write the text of this section."}, code="body_required"
            )

    @property
    def display_heading(self) -> str:
        if self.heading:
            return self.heading
        # Not get_kind_display(): it hashes every lazy choice label on each call.
        try:
            return str(self.Kind(self.kind).label)
        except ValueError:
            return self.kind

    def unique_anchor(self) -> str:
        """The id of the section on the page: its kind, or its heading for "other" sections."""
        if self.kind != self.Kind.OTHER:
            return self.kind  # unique per treatment (constraint), stable when headings change
        # The English heading, so the anchor is the same in every language.
        base = slugify(getattr(self, "heading_en", None) or self.heading)[:50] or "section"
        taken = set(
            TreatmentSection.objects.filter(treatment_id=self.treatment_id)
            .exclude(pk=self.pk)
            .values_list("anchor", flat=True)
        )
        taken |= RESERVED_ANCHORS | set(self.Kind.values)
        anchor, number = base, 1
        while anchor in taken:
            number += 1
            anchor = f"{base}-{number}"
        return anchor

    def readability(self) -> Readability | None:
        return grade_html(self.body_html)


class TreatmentDueForReview(Treatment):
    """Treatments whose next review date has passed, listed on their own in admin."""

    class Meta:
        proxy = True
        verbose_name = "treatment due for review"
        verbose_name_plural = "treatments due for review"


class FAQ(models.Model):
    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=250)
    answer = models.TextField(help_text="Markdown. Keep it short. Cite a reference as [1].")
    answer_html = models.TextField(blank=True, editable=False)
    sort_order = models.PositiveSmallIntegerField(default=0)
    draft_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        render_markdown_fields(self, "answer", "answer_html")
        super().save(*args, **kwargs)


class Reference(models.Model):
    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="references")
    citation = models.TextField(help_text="Authors, title, journal or source, year.")
    url = models.URLField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    draft_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.citation[:80]


class SitePage(SearchEngineFields, Publishable):
    """Simple pages: privacy notice, accessibility statement, medical disclaimer, about."""

    DRAFT_URL_NAME = "pages:site_page_draft"

    # The footer pages have short addresses (/privacy/); any other page lives at /info/<slug>/.
    SHORT_SLUGS = ("privacy", "medical-disclaimer", "accessibility", "about")

    title = models.CharField(max_length=120)
    slug = models.SlugField(help_text="The page's address, e.g. “privacy”.")
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        permissions = [("publish_sitepage", "Can approve and publish site pages")]
        constraints = publishable_constraints("sitepage")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        render_markdown_fields(self, "body", "body_html")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if self.slug in self.SHORT_SLUGS:
            return reverse("pages:site_page_short", kwargs={"slug": self.slug})
        return reverse("pages:site_page", kwargs={"slug": self.slug})

    def readability(self) -> Readability | None:
        return grade_markdown(self.body)


class Office(models.Model):
    name = models.CharField(max_length=80, help_text="Shown to patients, e.g. “Encino”.")
    slug = models.SlugField(unique=True)
    reference_prefix = models.CharField(
        max_length=3,
        unique=True,
        help_text="Three capital letters that start this office's request references, e.g. ENC.",
    )
    street_address = models.CharField(max_length=200)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2, default="CA")
    postal_code = models.CharField("ZIP code", max_length=10)
    phone = models.CharField(max_length=20, help_text="International format, e.g. +13105550142.")
    consultation_email = models.EmailField(
        help_text="Inbox that receives consultation requests for this office."
    )
    directions = models.TextField(
        blank=True, help_text="Parking, entrance and public transport, in plain words."
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pages:office", kwargs={"slug": self.slug})

    @property
    def directions_url(self) -> str:
        """A route to the office on Google Maps: a plain link, so nothing loads until it is used."""
        address = f"{self.street_address}, {self.city}, {self.state} {self.postal_code}"
        return "https://www.google.com/maps/search/?" + urlencode({"api": 1, "query": address})

    @property
    def phone_display(self) -> str:
        """The phone number as a US patient would write it: (310) 555-0142."""
        digits = self.phone.removeprefix("+1")
        if len(digits) == 10 and digits.isdigit():
            return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
        return self.phone


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="closes_after_opens"),
            models.CheckConstraint(condition=Q(weekday__in=range(7)), name="weekday_valid"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


# --- The editorial record: what happened to each page, kept beside django-reversion's versions.


class PageReferenceQuerySet(models.QuerySet):
    def for_page(self, page):
        """Rows about a page (its live row: a page's record outlives its drafts)."""
        return self.filter(
            page_type=ContentType.objects.get_for_model(type(page)),
            page_id=page.pk,
        )


class EditorialEvent(models.Model):
    """What one saved version of a page was: submitted, sent back, published or restored.

    Each event belongs to one django-reversion revision (who, when, the comment, and the page's
    content with its sections), and to the live page whose history it is part of.
    """

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent_back", "Sent back to the editor"
        APPROVED = "approved", "Approved, to go live at its set time"
        PUBLISHED = "published", "Published"
        RESTORED = "restored", "Earlier version restored as a draft"
        UNPUBLISHED = "unpublished", "Taken off the site"

    revision = models.OneToOneField(
        "reversion.Revision", on_delete=models.CASCADE, related_name="editorial_event"
    )
    page_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    page_id = models.PositiveBigIntegerField(help_text="The live page (or new page) concerned.")
    action = models.CharField(max_length=12, choices=Action.choices)

    objects = PageReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["-revision__date_created", "-pk"]
        indexes = [models.Index(fields=["page_type", "page_id"])]

    def __str__(self):
        return f"{self.get_action_display()} ({self.revision.date_created:%Y-%m-%d %H:%M})"


class ClaimApprovalQuerySet(PageReferenceQuerySet):
    def approved_sentences(self, *, page) -> frozenset[str]:
        if page is None or page.pk is None:
            return frozenset()
        return frozenset(self.for_page(page).values_list("sentence", flat=True))


class ClaimApproval(models.Model):
    """A clinical reviewer let one sentence go live without a citation, and wrote why."""

    page_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    page_id = models.PositiveBigIntegerField()
    sentence = models.TextField(help_text="The sentence exactly as approved.")
    reason = models.TextField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)

    objects = ClaimApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="claim_approval_has_reason")
        ]

    def __str__(self):
        return self.sentence[:80]


class ReviewReminder(models.Model):
    """One reminder email to one reviewer about one page's coming review (sent once)."""

    page = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="+")
    review_due = models.DateField(help_text="The page's next review date this reminder is for.")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "review_due", "reviewer"], name="one_reminder_per_review_period"
            )
        ]

    def __str__(self):
        return f"{self.page} due {self.review_due}"
