from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from pages.models import FAQ, Condition, Treatment, TreatmentSection

from .indexing import index_condition, index_treatment


def _reindex_treatment_later(treatment_id):
    # After commit, so inlines saved in the same admin request are all in the index.
    transaction.on_commit(lambda: index_treatment(treatment_id))


@receiver([post_save, post_delete], sender=Treatment)
def treatment_changed(sender, instance, **kwargs):
    _reindex_treatment_later(instance.pk)


@receiver([post_save, post_delete], sender=TreatmentSection)
@receiver([post_save, post_delete], sender=FAQ)
def treatment_part_changed(sender, instance, **kwargs):
    _reindex_treatment_later(instance.treatment_id)


@receiver(post_save, sender=Condition)
def condition_changed(sender, instance, **kwargs):
    transaction.on_commit(lambda: index_condition(instance.pk))
