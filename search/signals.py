from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from pages.models import (
    FAQ,
    Condition,
    Office,
    OpeningHours,
    Physician,
    Treatment,
    TreatmentSection,
)

from .indexing import index_condition, index_office, index_physician, index_treatment


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


def _reindex_office_later(office_id):
    def reindex():
        index_office(office_id)
        # Its physicians' documents name the office too.
        physicians = Physician.objects.filter(offices=office_id).values_list("pk", flat=True)
        for physician_id in physicians:
            index_physician(physician_id)

    transaction.on_commit(reindex)


@receiver(post_save, sender=Office)
def office_changed(sender, instance, **kwargs):
    _reindex_office_later(instance.pk)


@receiver([post_save, post_delete], sender=OpeningHours)
def office_hours_changed(sender, instance, **kwargs):
    _reindex_office_later(instance.office_id)


@receiver(post_save, sender=Physician)
def physician_changed(sender, instance, **kwargs):
    transaction.on_commit(lambda: index_physician(instance.pk))


@receiver(m2m_changed, sender=Physician.offices.through)
def physician_offices_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        physician_ids = [instance.pk]
    elif pk_set:
        physician_ids = list(pk_set)  # changed from the office's side
    else:
        # An office's list was cleared, so who was on it is gone; a practice has few physicians.
        physician_ids = list(Physician.objects.values_list("pk", flat=True))
    for physician_id in physician_ids:
        transaction.on_commit(partial(index_physician, physician_id))
