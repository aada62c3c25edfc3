"""Fast settings for the test suite: same as production in shape, quicker to run."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from .settings import *  # noqa: E402,F403
from .settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# TEST_EMAIL_BACKEND lets an end-to-end test point a server at a (dead) SMTP port.
EMAIL_BACKEND = os.environ.get(
    "TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
STORAGES = {
    **STORAGES,
    # Tests read static files through the finders; no collectstatic needed.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SITE_URL = "http://testserver"
# Transactional tests commit the cache table, so cached pages would leak from one test into
# the next; the tests about the page cache turn it on themselves.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", False)  # noqa: F405
# Uploads and renditions made by tests go to a scratch folder, never the working tree.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="clinic-test-media-"))
