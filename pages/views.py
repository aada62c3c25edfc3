from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView

from .models import (
    Condition,
    Office,
    Physician,
    SitePage,
    SiteSettings,
    Treatment,
    group_by_body_area,
)
from .templatetags.translations import shown_language


def home(request):
    treatments = Treatment.objects.published()
    return TemplateResponse(request, "pages/home.html", {"treatments": treatments})


class TreatmentListView(ListView):
    template_name = "pages/treatment_list.html"
    context_object_name = "treatments"

    def get_queryset(self):
        return Treatment.objects.published()


class TreatmentDetailView(DetailView):
    template_name = "pages/treatment_detail.html"
    context_object_name = "treatment"

    def get_queryset(self):
        treatments = Treatment.objects.for_page()
        if can_preview(self.request.user, Treatment):
            # Editors check new pages and scheduled ones at their real address; the draft of a
            # live page has its own address (TreatmentDraftView).
            return treatments.pages()
        return treatments.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        treatment = self.object
        if treatment.regulatory_notice:
            context["regulatory_notice"] = treatment.regulatory_notice
            context["regulatory_notice_language"] = shown_language(treatment, "regulatory_notice")
        else:
            notice, language = SiteSettings.default_notice()
            context["regulatory_notice"] = notice
            context["regulatory_notice_language"] = language
        kinds = {section.kind for section in treatment.sections.all()}
        # Entries without a section of their own still get shown, after the sections.
        context["faqs_need_block"] = bool(treatment.faqs.all()) and "faq" not in kinds
        context["conditions_need_block"] = (
            bool(treatment.conditions.all()) and "conditions" not in kinds
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        return response if self.object.is_live else never_cached(response)


class TreatmentDraftView(TreatmentDetailView):
    """The draft of a page, in the public layout, for staff who may edit it; never cached."""

    def get_queryset(self):
        if not can_preview(self.request.user, Treatment):
            raise Http404
        return Treatment.objects.drafts().for_page()

    def get_object(self, queryset=None):
        return draft_by_slug(self.get_queryset(), self.kwargs["slug"])


def can_preview(user, model=Treatment) -> bool:
    opts = model._meta
    return user.is_staff and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


def draft_by_slug(drafts, slug: str):
    """The draft shown at a page's draft address: of the live page there, or a new page."""
    draft = drafts.filter(Q(draft_of__slug=slug) | Q(slug=slug, draft_of__isnull=True)).first()
    if draft is None:
        raise Http404
    return draft


def never_cached(response):
    # A preview must never be kept by a shared cache and shown to the public.
    patch_cache_control(response, private=True, no_store=True)
    return response


def condition_list(request):
    groups = group_by_body_area(Condition.objects.published())
    return TemplateResponse(request, "pages/condition_list.html", {"groups": groups})


def with_live_treatments(conditions):
    return conditions.prefetch_related(
        Prefetch("treatments", queryset=Treatment.objects.published(), to_attr="live_treatments")
    )


def condition_detail(request, slug):
    conditions = with_live_treatments(Condition.objects.published())
    condition = get_object_or_404(conditions, slug=slug)
    return TemplateResponse(request, "pages/condition_detail.html", {"condition": condition})


def condition_draft(request, slug):
    if not can_preview(request.user, Condition):
        raise Http404
    draft = draft_by_slug(Condition.objects.drafts(), slug)
    # The treatments of a condition are linked to its live row.
    condition = with_live_treatments(Condition.objects.filter(pk=draft.live_page.pk)).get()
    draft.live_treatments = condition.live_treatments
    context = {"condition": draft, "preview": draft}
    return never_cached(TemplateResponse(request, "pages/condition_detail.html", context))


def with_reviewed_treatments(physicians):
    return physicians.prefetch_related(
        Prefetch(
            "reviewed_treatments",
            queryset=Treatment.objects.published(),
            to_attr="live_treatments",
        )
    )


def physician_detail(request, slug):
    physicians = with_reviewed_treatments(Physician.objects.published())
    physician = get_object_or_404(physicians, slug=slug)
    return TemplateResponse(request, "pages/physician_detail.html", {"physician": physician})


def physician_draft(request, slug):
    if not can_preview(request.user, Physician):
        raise Http404
    draft = draft_by_slug(Physician.objects.drafts(), slug)
    physician = with_reviewed_treatments(Physician.objects.filter(pk=draft.live_page.pk)).get()
    draft.live_treatments = physician.live_treatments
    context = {"physician": draft, "preview": draft}
    return never_cached(TemplateResponse(request, "pages/physician_detail.html", context))


def site_page(request, slug):
    page = get_object_or_404(SitePage.objects.published(), slug=slug)
    if request.path != page.get_absolute_url():
        return redirect(page, permanent=True)  # one address per page
    return TemplateResponse(request, "pages/site_page.html", {"page": page})


def site_page_draft(request, slug):
    if not can_preview(request.user, SitePage):
        raise Http404
    draft = draft_by_slug(SitePage.objects.drafts(), slug)
    context = {"page": draft, "preview": draft}
    return never_cached(TemplateResponse(request, "pages/site_page.html", context))


def office_list(request):
    offices = Office.objects.prefetch_related("hours")
    return TemplateResponse(request, "pages/office_list.html", {"offices": offices})


def office_detail(request, slug):
    offices = Office.objects.prefetch_related(
        "hours", Prefetch("physicians", queryset=Physician.objects.published())
    )
    office = get_object_or_404(offices, slug=slug)
    return TemplateResponse(request, "pages/office_detail.html", {"office": office})
