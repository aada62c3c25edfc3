"""Login lockout (django-axes) for the admin login form."""

from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuse logins for a username and IP locked out after repeated failures.

    Every login on this site comes through a web form, so a call without a request (the test
    client's `login()`, a shell) is not a login attempt to count; axes itself would refuse it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
