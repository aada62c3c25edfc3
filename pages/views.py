from django.shortcuts import get_object_or_404, render

from .models import Office


def home(request):
    return render(request, "pages/home.html")


def office_list(request):
    offices = Office.objects.prefetch_related("hours")
    return render(request, "pages/office_list.html", {"offices": offices})


def office_detail(request, slug):
    office = get_object_or_404(Office.objects.prefetch_related("hours"), slug=slug)
    return render(request, "pages/office_detail.html", {"office": office})
