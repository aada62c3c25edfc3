"""The admin home page's list of pages waiting for each editor and clinical reviewer."""

from django import template
from django.urls import reverse

from ..drafts import can_publish, publishable_models
from ..models import PublicationStatus, Treatment

register = template.Library()


@register.simple_tag(takes_context=True)
def editorial_summary(context):
    """Drafts waiting for review, sent back or scheduled, and medical reviews coming due."""
    request = context.get("request")
    if request is None:
        return None
    user = request.user
    models = [
        model
        for model in publishable_models()
        if user.has_perm(f"pages.change_{model._meta.model_name}")
    ]
    if not models:
        return None
    summary = {"may_publish": False, "waiting": [], "sent_back": [], "scheduled": []}
    for model in models:
        opts = model._meta
        may_publish = can_publish(user, model)
        summary["may_publish"] |= may_publish
        drafts = model.objects.drafts().select_related("submitted_by")
        for page in drafts.filter(status__in=[PublicationStatus.IN_REVIEW]):
            action = "review" if may_publish else "change"
            summary["waiting"].append(item(page, opts, action))
        for page in drafts.filter(status=PublicationStatus.DRAFT).exclude(review_note=""):
            summary["sent_back"].append(item(page, opts, "change"))
        for page in drafts.filter(status=PublicationStatus.APPROVED):
            summary["scheduled"].append(item(page, opts, "change"))
    summary["reviews_due"] = (
        list(Treatment.objects.pages().review_due_soon().order_by("next_review_due"))
        if Treatment in models
        else []
    )
    return summary


def item(page, opts, action: str) -> dict:
    return {
        "page": page,
        "kind": opts.verbose_name,
        "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[page.pk]),
    }
