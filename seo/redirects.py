"""Stored redirects: made when a slug changes, kept free of chains and loops."""

from django.db import transaction

from .models import Redirect


@transaction.atomic
def record_move(old_path: str, new_path: str) -> None:
    if old_path == new_path:
        return
    # The new address is live again: a redirect away from it would hide the page.
    Redirect.objects.filter(old_path=new_path).delete()
    # Older addresses that led to old_path now lead straight to new_path: no chains.
    Redirect.objects.filter(new_path=old_path).update(new_path=new_path)
    Redirect.objects.update_or_create(
        old_path=old_path, defaults={"new_path": new_path, "is_automatic": True}
    )


def find_redirect(path: str) -> str | None:
    candidates = {path, path.rstrip("/") + "/" if path != "/" else path, path.rstrip("/")}
    redirect = Redirect.objects.filter(old_path__in=candidates).only("new_path").first()
    return redirect.new_path if redirect else None
