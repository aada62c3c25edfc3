from django.db.models.signals import pre_save
from django.dispatch import receiver

from pages.models import Condition, Office, Physician, Treatment

from .redirects import record_move


@receiver(pre_save, sender=Treatment)
@receiver(pre_save, sender=Condition)
@receiver(pre_save, sender=Office)
@receiver(pre_save, sender=Physician)
def keep_old_address_working(sender, instance, raw=False, **kwargs):
    # A draft's address is not public: only a live page's move is recorded (on publishing).
    if raw or instance.pk is None or getattr(instance, "draft_of_id", None):
        return
    old_slug = sender.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old_slug and old_slug != instance.slug:
        old_path = sender(slug=old_slug).get_absolute_url()
        record_move(old_path, instance.get_absolute_url())
