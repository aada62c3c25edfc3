from django.core.management.base import BaseCommand

from pages.images import store_renditions
from pages.models import Physician, Treatment

IMAGE_FIELDS = [
    (Treatment, "hero_image", "hero_renditions"),
    (Physician, "photo", "photo_renditions"),
]


class Command(BaseCommand):
    help = "Remake the responsive copies of every uploaded image (after changing sizes, say)."

    def handle(self, *args, **options):
        made = 0
        for model, image_field, renditions_field in IMAGE_FIELDS:
            for instance in model.objects.exclude(**{image_field: ""}):
                store_renditions(instance, image_field, renditions_field)
                made += bool(getattr(instance, renditions_field))
        self.stdout.write(self.style.SUCCESS(f"Renditions rebuilt for {made} images."))
