"""Refuse every sign-in, right password or not, to an account locked by lockout.py."""

from django.core.exceptions import PermissionDenied

from .lockout import lock_in_force


class AccountLockBackend:
    """Listed before ModelBackend: a locked account gets no further than this.

    No get_user(): sessions are ModelBackend's, as before (force_login picks the first backend
    that has one).
    """

    def authenticate(self, request, username=None, **kwargs):
        if request is not None and username and lock_in_force(username):
            # PermissionDenied stops Django from asking the backends after this one.
            raise PermissionDenied
        return None
