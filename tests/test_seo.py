import json
import re
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from pages.models import Condition, Office, Treatment
from seo.models import Redirect

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def demo(db):
    from django.core.management import call_command

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
