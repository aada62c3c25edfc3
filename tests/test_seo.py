import json
import re
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from pages.models import Condition, Office, Treatment
from seo.models import Redirect

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    # Renditions are made once the content commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_content", verbosity=0)


@pytest.fixture
def draft(db):
    return Treatment.objects.create(
        title="Unfinished Therapy", slug="unfinished", summary="Not ready.", status="draft"
    )


def sitemap_urls(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
            "s:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("s:url", SITEMAP_NS)
    }


def test_sitemap_lists_published_pages_with_lastmod_and_never_drafts(client, demo, draft):
    future = Treatment.objects.create(
        title="Future Therapy",
        slug="future",
        summary="Later.",
        status="published",
        published_on=timezone.localdate() + timezone.timedelta(days=3),
    )
    urls = sitemap_urls(client)
    treatment = Treatment.objects.published().first()
    treatment_url = f"http://testserver{treatment.get_absolute_url()}"
    assert treatment_url in urls and urls[treatment_url]
    assert "http://testserver/locations/encino/" in urls
    assert "http://testserver/conditions/" in urls
    assert all(f"/{draft.slug}/" not in url for url in urls)
    assert all(f"/{future.slug}/" not in url for url in urls)
    for condition in Condition.objects.all():
        assert f"http://testserver{condition.get_absolute_url()}" in urls


def test_robots_points_to_the_sitemap_and_keeps_crawlers_out_of_private_pages(client, db):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body
    assert "Disallow: /consultation/thanks/" in body
    assert re.search(r"^Sitemap: https?://\S+/sitemap\.xml$", body, re.M)


def test_changing_a_slug_keeps_the_old_address_working(client, demo):
    treatment = Treatment.objects.published().first()
    old_url = treatment.get_absolute_url()
    treatment.slug = "renamed-therapy"
    treatment.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/treatments/renamed-therapy/"
    assert client.get(response["Location"]).status_code == 200


def test_renaming_twice_makes_no_chain_and_renaming_back_makes_no_loop(client, demo):
    office = Office.objects.get(slug="encino")
    office.slug = "encino-ventura"
    office.save()
    office.slug = "encino-office"
    office.save()
    assert client.get("/locations/encino/")["Location"] == "/locations/encino-office/"
    assert client.get("/locations/encino-ventura/")["Location"] == "/locations/encino-office/"
    office.slug = "encino"
    office.save()
    assert client.get("/locations/encino/").status_code == 200
    assert client.get("/locations/encino-office/")["Location"] == "/locations/encino/"


def test_editors_redirects_for_old_site_urls_work_and_keep_the_query(client, demo):
    Redirect.objects.create(old_path="/stem-cell-therapy-los-angeles/", new_path="/treatments/")
    response = client.get("/stem-cell-therapy-los-angeles/?utm=x")
    assert response.status_code == 301
    assert response["Location"] == "/treatments/?utm=x"


def test_a_redirect_never_hides_a_live_page(client, demo):
    Redirect.objects.create(old_path="/locations/", new_path="/")
    assert client.get("/locations/").status_code == 200


def json_ld_blocks(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def page_html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def types_on(html):
    return {block["@type"]: block for block in json_ld_blocks(html)}


def visible_breadcrumbs(html):
    nav = re.search(r'<nav aria-label="Breadcrumb">(.*?)</nav>', html, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S)
    ]


def test_treatment_page_describes_itself_as_a_reviewed_medical_page(client, demo):
    treatment = Treatment.objects.published().get(slug="stem-cell-therapy")
    html = page_html(client, treatment.get_absolute_url())
    blocks = types_on(html)
    page = blocks["MedicalWebPage"]
    assert page["@context"] == "https://schema.org"
    assert page["lastReviewed"] == treatment.last_reviewed.isoformat()
    assert page["reviewedBy"]["@type"] == "Physician"
    assert page["reviewedBy"]["name"] == treatment.reviewed_by.name
    assert page["about"]["@type"] in {"MedicalTherapy", "MedicalProcedure"}
    assert page["about"]["name"] == treatment.title
    faq = blocks["FAQPage"]
    assert len(faq["mainEntity"]) == treatment.faqs.count()
    assert all(q["acceptedAnswer"]["text"] for q in faq["mainEntity"])
    assert "<" not in json.dumps(faq)  # answers are plain text, not HTML


def test_breadcrumbs_on_the_page_match_the_breadcrumb_list(client, demo):
    for url in [
        "/treatments/",
        Treatment.objects.published().first().get_absolute_url(),
        "/conditions/",
        Condition.objects.first().get_absolute_url(),
        "/locations/",
        "/locations/los-angeles/",
        "/privacy/",
    ]:
        html = page_html(client, url)
        crumbs = types_on(html)["BreadcrumbList"]["itemListElement"]
        assert [crumb["name"] for crumb in crumbs] == visible_breadcrumbs(html), url
        assert [crumb["position"] for crumb in crumbs] == list(range(1, len(crumbs) + 1))
        assert crumbs[-1]["item"] == f"http://testserver{url}"


def test_home_page_has_no_breadcrumbs(client, demo):
    html = page_html(client, "/")
    assert 'aria-label="Breadcrumb"' not in html
    assert "BreadcrumbList" not in html


def test_office_page_is_a_medical_clinic_with_address_hours_and_position(client, demo):
    office = Office.objects.get(slug="encino")
    clinic = types_on(page_html(client, office.get_absolute_url()))["MedicalClinic"]
    assert clinic["telephone"] == office.phone
    assert clinic["address"]["postalCode"] == office.postal_code
    assert clinic["address"]["addressLocality"] == "Encino"
    assert len(clinic["openingHoursSpecification"]) == office.hours.count()
    assert clinic["openingHoursSpecification"][0]["dayOfWeek"] == "https://schema.org/Monday"
    assert clinic["geo"]["latitude"] == pytest.approx(float(office.latitude))


def test_condition_and_physician_pages_have_their_types(client, demo):
    condition = Condition.objects.filter(treatments__isnull=False).first()
    medical_condition = types_on(page_html(client, condition.get_absolute_url()))[
        "MedicalCondition"
    ]
    assert medical_condition["name"] == condition.name
    assert medical_condition["possibleTreatment"]
    from pages.models import Physician

    physician = Physician.objects.get()
    person = types_on(page_html(client, physician.get_absolute_url()))["Physician"]
    assert person["name"] == physician.name == "Helen Amari"
    assert person["honorificPrefix"] == "Dr."
    spanish = types_on(page_html(client, "/es" + physician.get_absolute_url()))["Physician"]
    assert (spanish["name"], spanish["honorificPrefix"]) == ("Helen Amari", "Dra.")
    assert person["image"].startswith("http://testserver/media/renditions/")


def test_treatment_page_has_title_description_canonical_and_share_tags(client, demo):
    treatment = Treatment.objects.published().first()
    treatment.seo_title = "Stem cells for knee pain | LA"
    treatment.save()
    html = page_html(client, treatment.get_absolute_url())
    assert "<title>Stem cells for knee pain | LA |" in html
    assert f'<meta name="description" content="{treatment.summary[:40]}' in html
    canonical = f"http://testserver{treatment.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:title" content="Stem cells for knee pain | LA">' in html
    image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert image.startswith("http://testserver/media/renditions/")
    assert client.get(image.removeprefix("http://testserver")).status_code == 200
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_every_public_page_type_has_a_canonical_url_and_valid_json_ld(client, demo):
    urls = ["/", "/treatments/", "/conditions/", "/locations/", "/privacy/"]
    urls += [t.get_absolute_url() for t in Treatment.objects.published()]
    urls += [c.get_absolute_url() for c in Condition.objects.all()[:3]]
    for url in urls:
        html = page_html(client, url)
        assert f'<link rel="canonical" href="http://testserver{url}">' in html, url
        json_ld_blocks(html)  # raises if any block is not valid JSON


def test_json_ld_cannot_be_broken_out_of_by_content(client, demo):
    treatment = Treatment.objects.published().first()
    treatment.summary = "Safe </script><script>alert(1)</script> & sound"
    treatment.save()
    html = page_html(client, treatment.get_absolute_url())
    assert "<script>alert(1)</script>" not in html
    assert types_on(html)["MedicalWebPage"]["description"] == treatment.summary


def test_rebuild_renditions_remakes_missing_files(demo, settings):
    from pathlib import Path

    from django.core.management import call_command

    treatment = Treatment.objects.published().first()
    fallback = Path(settings.MEDIA_ROOT) / treatment.hero_renditions["fallback"]["name"]
    fallback.unlink()
    call_command("rebuild_renditions", verbosity=0)
    treatment.refresh_from_db()
    assert (Path(settings.MEDIA_ROOT) / treatment.hero_renditions["fallback"]["name"]).is_file()


def test_a_bad_upload_in_admin_gets_a_clear_error_not_a_500(admin_client, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    treatment = Treatment.objects.published().first()
    url = f"/admin/pages/treatment/{treatment.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and not hasattr(value, "all") and key != "hero_image"
    }
    data["conditions"] = [c.pk for c in treatment.conditions.all()]
    data["reviewed_by"] = treatment.reviewed_by_id
    data["hero_image"] = SimpleUploadedFile("not-a-photo.jpg", b"%PDF-1.7 this is a document")
    for prefix in ("sections", "faqs", "references"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["hero_image"]
    assert "not an image" in errors["hero_image"][0]
    treatment.refresh_from_db()
    assert treatment.hero_image.name.startswith("demo/")  # the old image stays
