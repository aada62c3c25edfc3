"""
WSGI config for clinic_site project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import io
import os

from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")

application = get_wsgi_application()

# gunicorn runs no management command, so the site's own checks run here: a missing SITE_URL
# or mail setting stops the server at start (SystemCheckError) instead of failing patients.
call_command("check", tags=["clinic"], stdout=io.StringIO())
