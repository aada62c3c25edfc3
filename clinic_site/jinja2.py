"""The Jinja2 environment for the public pages.

Jinja2 compiles templates to Python functions, so a page renders several times faster than with
the Django template language; on a page-cache miss the template was most of the time spent.
Admin, crispy-forms fields and the emails stay on Django templates (templates/django/).
"""

from functools import lru_cache

import jinja2
from django.template import defaultfilters, engines
from django.template.backends.jinja2 import Jinja2
from django.templatetags.static import static
from django.test.signals import template_rendered
from django.utils import translation
from django.utils.safestring import mark_safe

from clinic_site.reversing import cached_reverse
from pages.languages import lacks_translation, shown_language
from pages.links import consultation_url
from pages.pictures import picture_context
from seo.head import json_ld, language_versions_for


def crispy(form) -> str:
    """A crispy form rendered by its Django-template field layouts (crispy has no Jinja2 pack)."""
    html = _crispy_template().render({"form": form})
    return mark_safe(html)  # rendered by the Django template engine, which escaped every value


@lru_cache(maxsize=1)
def _crispy_template():
    return engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")


def date_format_long() -> str:
    """Dates as patients read them ("November 21, 2026"), per language, for the date filter."""
    return translation.pgettext("date format: November 21, 2026", "F j, Y")


def environment(**options) -> jinja2.Environment:
    # Like Django templates: a missing value renders as nothing instead of failing the page.
    options["undefined"] = jinja2.ChainableUndefined
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(
        translation.gettext,
        translation.ngettext,
        newstyle=False,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    env.globals.update(
        # The extension's _ looks gettext up in the context on every call; this is the same
        # function without the lookup.
        _=translation.gettext,
        url=cached_reverse,  # like {% url %}
        static=static,
        crispy=crispy,
        consultation_url=consultation_url,
        picture_context=picture_context,
        json_ld=json_ld,
        language_versions=language_versions_for,
        get_language=translation.get_language,
        date_format_long=date_format_long,
    )
    env.filters.update(
        shown_language=shown_language,
        lacks_translation=lacks_translation,
        date=defaultfilters.date,
        time=defaultfilters.time,
        linebreaks=defaultfilters.linebreaks_filter,
        truncatechars=defaultfilters.truncatechars,
        truncatewords=defaultfilters.truncatewords,
    )
    return env


class Jinja2Backend(Jinja2):
    """Django's Jinja2 backend, plus the signal the test client listens to for response.context."""

    def get_template(self, template_name):
        return _SignallingTemplate(super().get_template(template_name))

    def from_string(self, template_code):
        return _SignallingTemplate(super().from_string(template_code))


class _SignallingTemplate:
    def __init__(self, template):
        self._template = template
        self.origin = template.origin
        self.template = template.template
        self.backend = template.backend
        self.name = template.origin.template_name

    def render(self, context=None, request=None):
        context = {} if context is None else context
        html = self._template.render(context, request)
        if template_rendered.receivers:  # only the test client listens; nothing to pay otherwise
            template_rendered.send(sender=self, template=self, context=context)
        return html
