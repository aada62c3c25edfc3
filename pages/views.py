from django.db.models import Prefetch
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
        if can_preview(self.request.user):
            return treatments  # editors check drafts and scheduled pages at their real address
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
        if not self.object.is_live:
            # A preview must never be kept by a shared cache and shown to the public.
            patch_cache_control(response, private=True, no_store=True)
        return response


def can_preview(user) -> bool:
    return user.is_staff and user.has_perm("pages.change_treatment")


def condition_list(request):
    groups = group_by_body_area(Condition.objects.all())
    return TemplateResponse(request, "pages/condition_list.html", {"groups": groups})


def condition_detail(request, slug):
    conditions = Condition.objects.prefetch_related(
        Prefetch("treatments", queryset=Treatment.objects.published(), to_attr="live_treatments")
    )
    condition = get_object_or_404(conditions, slug=slug)
    return TemplateResponse(request, "pages/condition_detail.html", {"condition": condition})


def physician_detail(request, slug):
    physicians = Physician.objects.prefetch_related(
        Prefetch(
            "reviewed_treatments",
            queryset=Treatment.objects.published(),
            to_attr="live_treatments",
        )
    )
    physician = get_object_or_404(physicians, slug=slug)
    return TemplateResponse(request, "pages/physician_detail.html", {"physician": physician})


def site_page(request, slug):
    page = get_object_or_404(SitePage, slug=slug)
    if request.path != page.get_absolute_url():
        return redirect(page, permanent=True)  # one address per page
    return TemplateResponse(request, "pages/site_page.html", {"page": page})


def office_list(request):
    offices = Office.objects.prefetch_related("hours")
    return TemplateResponse(request, "pages/office_list.html", {"offices": offices})


def office_detail(request, slug):
    office = get_object_or_404(Office.objects.prefetch_related("hours", "physicians"), slug=slug)
    return TemplateResponse(request, "pages/office_detail.html", {"office": office})
