import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from PIL import Image

from pages.images import make_renditions, validate_image_upload
from tests.factories import sign_in


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo_bytes(width=2000, height=1000, image_format="JPEG", orientation=None, gps=False):
    image = Image.new("RGB", (width, height), "#3a7ca5")
    # A red block in the top-left corner shows which way up the picture is.
    image.paste((255, 0, 0), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0110] = "SecretCam 3000"  # Model
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (34.0, 3.0, 0.0), 3: "W", 4: (118.0, 15.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, image_format, exif=exif.tobytes())
    return buffer.getvalue()


def stored(data: bytes, name="photo.jpg"):
    saved = default_storage.save(f"treatments/{name}", ContentFile(data))
    return default_storage.open(saved)


class FieldFileLike:
    """Just enough of a FieldFile for make_renditions: a name and open/close."""

    def __init__(self, name):
        self.name = name
        self._file = None

    def open(self, mode="rb"):
        self._file = default_storage.open(self.name, mode)

    def read(self, *args):
        return self._file.read(*args)

    def seek(self, *args):
        return self._file.seek(*args)

    def tell(self):
        return self._file.tell()

    def close(self):
        self._file.close()


def renditions_for(data, name="photo.jpg"):
    saved = default_storage.save(f"treatments/{name}", ContentFile(data))
    return make_renditions(FieldFileLike(saved))


def open_rendition(entry):
    with default_storage.open(entry["name"]) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def test_renditions_are_webp_at_three_widths_with_a_jpeg_fallback():
    renditions = renditions_for(photo_bytes(2000, 1000))
    assert [entry["width"] for entry in renditions["webp"]] == [480, 960, 1600]
    for entry in renditions["webp"]:
        image = open_rendition(entry)
        assert image.format == "WEBP"
        assert (
            image.size == (entry["width"], entry["height"]) == (entry["width"], entry["width"] // 2)
        )
    fallback = open_rendition(renditions["fallback"])
    assert fallback.format == "JPEG" and fallback.size == (960, 480)


def test_small_images_are_never_scaled_up():
    renditions = renditions_for(photo_bytes(600, 400))
    assert [entry["width"] for entry in renditions["webp"]] == [480, 600]
    assert renditions["fallback"]["width"] == 600


def test_camera_and_gps_metadata_are_stripped():
    renditions = renditions_for(photo_bytes(gps=True))
    for entry in [*renditions["webp"], renditions["fallback"]]:
        image = open_rendition(entry)
        exif = image.getexif()
        assert 0x8825 not in exif and 0x0110 not in exif, entry["name"]
        assert b"SecretCam" not in default_storage.open(entry["name"]).read()


def test_exif_orientation_is_applied():
    # Orientation 6: the camera was turned; the picture must be shown rotated to portrait.
    renditions = renditions_for(photo_bytes(2000, 1000, orientation=6))
    assert (renditions["width"], renditions["height"]) == (1000, 2000)
    fallback = open_rendition(renditions["fallback"])
    assert fallback.height > fallback.width
    # The red marker that was top-left is now top-right after a 90° clockwise turn.
    red, green, blue = fallback.convert("RGB").getpixel((fallback.width - 5, 5))
    assert red > 200 and green < 60


def test_transparent_png_keeps_a_png_fallback():
    image = Image.new("RGBA", (800, 400), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    renditions = renditions_for(buffer.getvalue(), name="logo.png")
    assert open_rendition(renditions["fallback"]).format == "PNG"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"%PDF-1.4 not an image", "scan.jpg", "not_an_image"),
        (b"GIF89a" + b"\x00" * 100, "trick.gif", "not_an_image"),
        (photo_bytes(10, 10)[:200], "cut-short.jpg", "not_an_image"),
    ],
)
def test_uploads_that_are_not_images_are_rejected_with_a_clear_message(content, name, code):
    with pytest.raises(ValidationError) as error:
        validate_image_upload(SimpleUploadedFile(name, content))
    assert error.value.code == code


def test_gif_is_refused_politely():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ValidationError) as error:
        validate_image_upload(SimpleUploadedFile("anim.gif", buffer.getvalue()))
    assert error.value.code == "unsupported_format"


def test_oversized_file_is_rejected():
    upload = SimpleUploadedFile("huge.jpg", b"\xff" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as error:
        validate_image_upload(upload)
    assert error.value.code == "too_large"


def test_decompression_bomb_is_rejected():
    # A tiny PNG that claims 20,000 × 20,000 pixels.
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG", optimize=True)
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(ValidationError) as error:
        validate_image_upload(SimpleUploadedFile("bomb.png", buffer.getvalue()))
    assert error.value.code == "too_many_pixels"


def test_a_real_photo_passes_validation():
    validate_image_upload(SimpleUploadedFile("ok.jpg", photo_bytes(1200, 800)))


def render_picture(image, renditions, hero=False):
    template = engines["django"].from_string(
        "{% load pictures %}"
        "{% picture image renditions 'A knee joint' '(min-width: 992px) 50vw, 100vw' hero %}"
    )
    return template.render({"image": image, "renditions": renditions, "hero": hero})


def test_picture_tag_lists_sources_and_sizes_for_the_browser():
    renditions = renditions_for(photo_bytes(2000, 1000))
    html = render_picture(None, renditions, hero=True)
    assert 'type="image/webp"' in html
    assert "480w" in html and "960w" in html and "1600w" in html
    assert 'width="960" height="480"' in html
    assert 'alt="A knee joint"' in html
    assert 'fetchpriority="high"' in html and 'loading="lazy"' not in html
    assert 'loading="lazy"' in render_picture(None, renditions)


def test_missing_renditions_fall_back_to_the_original():
    renditions = renditions_for(photo_bytes(1200, 600))
    for entry in [*renditions["webp"], renditions["fallback"]]:
        default_storage.delete(entry["name"])

    class Original:
        url = "/media/treatments/photo.jpg"
        width, height = 1200, 600

    html = render_picture(Original(), renditions)
    assert 'src="/media/treatments/photo.jpg"' in html
    assert "image/webp" not in html


@pytest.mark.django_db
def test_admin_checks_a_new_upload_and_keeps_a_stored_image_on_an_unchanged_save(
    client, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import User

    from pages.models import Physician

    sign_in(client, User.objects.create_superuser("editor", password="x"))
    # A new profile, not yet live: admin saves it as it is (a live one would get a draft).
    physician = Physician.objects.create(
        name="Dr. Test", slug="test", status=Physician.Status.DRAFT
    )
    url = f"/admin/pages/physician/{physician.pk}/change/"
    form = {"name": "Dr. Test", "slug": "test", "photo_alt_en": "Dr. Test smiling"}

    refused = client.post(
        url, {**form, "photo": SimpleUploadedFile("scan.jpg", b"%PDF-1.4 not an image")}
    )
    assert refused.status_code == 200
    assert "photo" in refused.context["adminform"].form.errors

    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            url, {**form, "photo": SimpleUploadedFile("me.jpg", photo_bytes(800, 1000))}
        )
    assert accepted.status_code == 302
    physician.refresh_from_db()
    assert physician.photo_renditions["webp"]

    # Saved again without a new file: the stored photo stays, with its renditions.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, form)
    assert again.status_code == 302
    physician.refresh_from_db()
    assert physician.photo and physician.photo_renditions["webp"]


@pytest.mark.django_db(transaction=True)
def test_a_save_that_rolls_back_leaves_no_renditions_behind(media_root):
    from django.db import transaction

    from pages.models import Physician

    with pytest.raises(RuntimeError), transaction.atomic():
        Physician.objects.create(
            name="Dr. Test",
            slug="test",
            photo=SimpleUploadedFile("me.jpg", photo_bytes(800, 1000)),
            photo_alt="Dr. Test smiling",
        )
        raise RuntimeError("the editor's save failed")
    assert not (media_root / "renditions").exists()


def busy_picture(width: int, height: int, mode: str) -> Image.Image:
    """A picture with enough detail to cost real decoding work, yet a file well under 10 MB."""
    from PIL import ImageDraw

    image = Image.linear_gradient("L").resize((width, height)).convert(mode)
    draw = ImageDraw.Draw(image)
    for step in range(0, min(width, height), 97):
        draw.ellipse((step, step // 2, step + 300, step // 2 + 200), fill="#b03060")
    image.paste(Image.effect_noise((width, 120), 60).convert(mode), (0, height // 2))
    return image


def png_cut_short(width: int, height: int) -> bytes:
    """A well-formed PNG (every chunk whole, checksums right) whose header promises
    width × height but whose pixel data stops after its first data chunk."""
    buffer = io.BytesIO()
    busy_picture(width, height, "RGB").save(buffer, "PNG")
    data, kept, position, data_chunks = buffer.getvalue(), [buffer.getvalue()[:8]], 8, 0
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk = data[position : position + 12 + length]
        kind = chunk[4:8]
        data_chunks += kind == b"IDAT"
        if kind != b"IDAT" or data_chunks == 1:
            kept.append(chunk)
        position += 12 + length
    assert data_chunks > 1
    return b"".join(kept)


@pytest.mark.parametrize("size", [(6000, 6000), (2800, 2800)])
def test_a_png_cut_short_is_refused_whatever_its_header_promises(size):
    with pytest.raises(ValidationError) as error:
        validate_image_upload(SimpleUploadedFile("cut.png", png_cut_short(*size)))
    assert error.value.code in {"not_an_image", "too_many_pixels"}


@pytest.mark.django_db
def test_an_image_uploaded_under_another_extension_is_stored_as_what_it_is(client):
    from django.contrib.auth.models import User

    from pages.models import Physician

    sign_in(client, User.objects.create_superuser("editor", password="x"))
    # A new profile, not yet live: admin saves it as it is (a live one would get a draft).
    physician = Physician.objects.create(name="Test", slug="test", status=Physician.Status.DRAFT)
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), "#3a7ca5").save(buffer, "PNG")
    response = client.post(
        f"/admin/pages/physician/{physician.pk}/change/",
        {
            "name": "Test",
            "slug": "test",
            "photo_alt_en": "A portrait",
            "photo": SimpleUploadedFile("portrait.pdf", buffer.getvalue()),
        },
    )
    assert response.status_code == 302
    physician.refresh_from_db()
    assert physician.photo.name.endswith(".png")
    served = client.get(physician.photo.url)
    assert served["Content-Type"] == "image/png"


MEASURE = """
import io, resource, sys
import django
django.setup()
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from pages.images import make_renditions, validate_image_upload
path = sys.argv[1]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = open(path, "rb").read()
validate_image_upload(SimpleUploadedFile("upload", data))
with open(path, "rb") as handle:
    field_file = File(handle, name=path)
    field_file.open = lambda mode="rb": handle.seek(0)
    field_file.close = lambda: None
    make_renditions(field_file)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize(
    ("image_format", "size", "mode"),
    [("JPEG", (7264, 5456), "RGB"), ("PNG", (3264, 2448), "RGBA"), ("WEBP", (1935, 1290), "RGBA")],
)
def test_the_largest_accepted_image_costs_a_worker_under_90_mb(
    tmp_path, settings, image_format, size, mode
):
    """A worker sits at 55-65 MB; checking and shrinking an upload must keep it under 150."""
    import os
    import subprocess
    import sys

    from pages.images import MAX_PIXELS

    assert size[0] * size[1] <= MAX_PIXELS[image_format]
    path = tmp_path / f"large.{image_format.lower()}"
    image = busy_picture(*size, mode)
    image.save(path, image_format, **({"lossless": True} if image_format == "WEBP" else {}))
    env = {**os.environ, "MEDIA_ROOT": str(tmp_path / "media")}
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) < 90
