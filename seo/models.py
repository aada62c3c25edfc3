from django.core.exceptions import ValidationError
from django.db import models


class Redirect(models.Model):
    """An old address that answers with a permanent redirect to its new one."""

    old_path = models.CharField(
        max_length=300,
        unique=True,
        help_text="The old address on this site, starting with /, e.g. /stem-cell-therapy/.",
    )
    new_path = models.CharField(
        max_length=300, help_text="Where it moved: a path on this site, starting with /."
    )
    is_automatic = models.BooleanField(
        default=False, editable=False, help_text="Made when an editor changed a page's address."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["old_path"]

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def clean(self):
        for name in ("old_path", "new_path"):
            value = getattr(self, name)
            if not value.startswith("/") or value.startswith("//"):
                raise ValidationError(
                    {name: "Please give a path on this site that starts with one /."},
                    code="not_a_path",
                )
        if self.old_path == self.new_path:
            raise ValidationError(
                "The old and new addresses are the same; that would loop.", code="loop"
            )
