from django.db import models
from django.db.models import Q
from django.utils import timezone


class SearchDocumentQuerySet(models.QuerySet):
    def visible(self, language: str = ""):
        today = timezone.localdate()
        documents = self.filter(Q(visible_from__isnull=True) | Q(visible_from__lte=today))
        return documents.filter(language=language) if language else documents


class SearchDocument(models.Model):
    """One searchable piece of published content, kept in step with the pages app by signals."""

    class Kind(models.TextChoices):
        TREATMENT = "treatment", "Treatment"
        SECTION = "section", "Treatment section"
        FAQ = "faq", "Question and answer"
        CONDITION = "condition", "Condition"
        OFFICE = "office", "Office"
        PHYSICIAN = "physician", "Physician"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    language = models.CharField(
        max_length=8, default="en", help_text="The page language this text is shown in."
    )
    title = models.CharField(max_length=250)
    context = models.CharField(
        max_length=250, blank=True, help_text="Where the match is, e.g. the treatment's title."
    )
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300)
    visible_from = models.DateField(null=True, blank=True)
    treatment = models.ForeignKey(
        "pages.Treatment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    condition = models.ForeignKey(
        "pages.Condition", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    office = models.ForeignKey(
        "pages.Office", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    physician = models.ForeignKey(
        "pages.Physician", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    weight = models.PositiveSmallIntegerField(
        default=1, help_text="Higher comes first when matches rank equally."
    )

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-weight", "title"]

    def __str__(self):
        return self.title
