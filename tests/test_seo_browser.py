import pytest
from django.core.management import call_command

from pages.models import Treatment


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("scale", "expected_width"), [(1, 480), (2, 960)])
def test_a_phone_loads_the_small_rendition_and_nothing_from_elsewhere(
    chromium, live_server, scale, expected_width
):
    call_command("load_demo_content", verbosity=0)
    treatment = Treatment.objects.published().first()
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=scale, is_mobile=True
    )
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + treatment.get_absolute_url())
    hero = page.locator("main picture img").first
    hero.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=hero.element_handle())
    current = hero.evaluate("img => img.currentSrc")
    assert current.endswith(f"-{expected_width}.webp"), current
    assert current in requested
    assert hero.get_attribute("alt") == treatment.hero_image_alt
    assert not [url for url in requested if url.endswith(".webp") and url != current]
    outside = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert not outside, outside
    context.close()
