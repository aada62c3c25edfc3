from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView

from seo import meta

from .languages import shown_language
from .models import (
    Condition,
    Office,
    Physician,
    SitePage,
    SiteSettings,
    Treatment,
    group_by_body_area,
)


def home(request):
    treatments = Treatment.objects.published()
    return render(request, "pages/home.html", {"treatments": treatments, "meta": meta.for_home()})


class TreatmentListView(ListView):
    template_name = "pages/treatment_list.html"
    context_object_name = "treatments"

    def get_queryset(self):
        return Treatment.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meta"] = meta.for_treatment_list()
        return context


class TreatmentDetailView(DetailView):
    template_name = "pages/treatment_detail.html"
    context_object_name = "treatment"

    def get_queryset(self):
        # Editors check drafts and scheduled pages at their real address.
        return Treatment.objects.for_page()

    def get_object(self, queryset=None):
        if can_preview(self.request.user):
            return super().get_object(queryset)
        treatment = Treatment.live_page(self.kwargs["slug"])
        if treatment is None:
            raise Http404("No published treatment here.")
        return treatment

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
        content = treatment.page_content()
        context["content"] = content
        context["meta"] = meta.for_treatment(treatment, content.faqs)
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
    return render(
        request,
        "pages/condition_list.html",
        {"groups": groups, "meta": meta.for_condition_list()},
    )


def condition_detail(request, slug):
    conditions = Condition.objects.prefetch_related(
        Prefetch("treatments", queryset=Treatment.objects.published(), to_attr="live_treatments")
    )
    condition = get_object_or_404(conditions, slug=slug)
    page_meta = meta.for_condition(condition, condition.live_treatments)
    return render(
        request, "pages/condition_detail.html", {"condition": condition, "meta": page_meta}
    )


def physician_detail(request, slug):
    physicians = Physician.objects.prefetch_related(
        Prefetch(
            "reviewed_treatments",
            queryset=Treatment.objects.published(),
            to_attr="live_treatments",
        )
    )
    physician = get_object_or_404(physicians, slug=slug)
    return render(
        request,
        "pages/physician_detail.html",
        {"physician": physician, "meta": meta.for_physician(physician)},
    )


def site_page(request, slug):
    page = get_object_or_404(SitePage, slug=slug)
    if request.path != page.get_absolute_url():
        return redirect(page, permanent=True)  # one address per page
    return render(request, "pages/site_page.html", {"page": page, "meta": meta.for_site_page(page)})


def office_list(request):
    offices = Office.objects.prefetch_related("hours")
    return render(
        request,
        "pages/office_list.html",
        {"offices": offices, "meta": meta.for_office_list(offices)},
    )


def office_detail(request, slug):
    office = get_object_or_404(Office.objects.prefetch_related("hours"), slug=slug)
    return render(
        request, "pages/office_detail.html", {"office": office, "meta": meta.for_office(office)}
    )
