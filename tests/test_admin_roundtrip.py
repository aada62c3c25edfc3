"""Every admin form, on every object of the demo content, saves unchanged for whoever may edit it.

The test reads the admin registry, so a model registered later is covered without editing it.
A form is submitted the way a browser would: the fields and values found in the page's HTML.
"""

from datetime import datetime
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import models
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from bookings.models import ConsultationRequest
from pages.models import Office
from scheduling.models import ConsultationType
from scheduling.services import book_appointment
from staff.models import StaffProfile
from tests.factories import first_open_slot, sign_in, valid_form_data

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """The name/value pairs a browser would send for the admin change form."""

    def __init__(self):
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self.in_form = False
        self.select_name = None
        self.select_multiple = False
        self.select_options: list[tuple[str, bool]] = []
        self.option_value = None
        self.textarea_name = None
        self.textarea_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value", "on")))
            elif kind in {"file", "submit", "button", "image", "reset"}:
                return
            else:
                self.pairs.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select_name = name
            self.select_multiple = "multiple" in attrs
            self.select_options = []
        elif tag == "option" and self.select_name:
            self.option_value = attrs.get("value")
            self.select_options.append((attrs.get("value"), "selected" in attrs))
        elif tag == "textarea" and name:
            self.textarea_name, self.textarea_text = name, ""

    def handle_data(self, data):
        if self.textarea_name:
            self.textarea_text += data
        elif self.select_name and self.option_value is None and self.select_options:
            # <option> without value: its text is the value.
            value, selected = self.select_options[-1]
            if value is None:
                self.select_options[-1] = (data.strip(), selected)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select_name:
            chosen = [value for value, selected in self.select_options if selected]
            if not chosen and not self.select_multiple and self.select_options:
                chosen = [self.select_options[0][0]]
            self.pairs += [(self.select_name, value) for value in chosen]
            self.select_name = None
        elif tag == "option":
            self.option_value = None
        elif tag == "textarea" and self.textarea_name:
            # Browsers drop the one newline that may follow <textarea>.
            text = self.textarea_text.removeprefix("\r\n").removeprefix("\n")
            self.pairs.append((self.textarea_name, text))
            self.textarea_name = None


def form_data(html: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        if "__prefix__" in name:
            continue  # the empty template row JavaScript copies for "Add another"
        data.setdefault(name, []).append(value)
    return data


def comparable(values: dict) -> dict:
    # Admin shows times to the second, so an unchanged save may drop microseconds; and an
    # untranslated field may be stored as NULL or as "" (both show the English text).
    return {
        key: value.replace(microsecond=0)
        if isinstance(value, datetime)
        else ("" if value is None else value)
        for key, value in values.items()
    }


def snapshot(obj) -> dict:
    """What an unchanged save must keep: the object's fields and its inline rows."""
    obj = type(obj)._default_manager.get(pk=obj.pk)
    skip = {
        field.name
        for field in obj._meta.concrete_fields
        if getattr(field, "auto_now", False) or isinstance(field, models.FileField)
    }
    state = {"fields": comparable({k: v for k, v in model_to_dict(obj).items() if k not in skip})}
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.FileField):
            state["fields"][field.name] = getattr(obj, field.name).name
    model_admin = admin.site.get_model_admin(type(obj))
    for inline in model_admin.inlines:
        rows = inline.model._default_manager.filter(
            **{inline.fk_name or _fk_name(inline.model, type(obj)): obj}
        ).order_by("pk")
        state[inline.model.__name__] = [comparable(model_to_dict(row)) for row in rows]
    return state


def differences(before: dict, after: dict) -> list[str]:
    found = [
        f"{key}: {before['fields'].get(key)!r} -> {after['fields'].get(key)!r}"
        for key in before["fields"].keys() | after["fields"].keys()
        if before["fields"].get(key) != after["fields"].get(key)
    ]
    found += [f"{key} rows" for key in before if key != "fields" and before[key] != after[key]]
    return found


def _fk_name(child, parent) -> str:
    return next(
        field.name
        for field in child._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.related_model is parent
    )


def admin_url(model, action, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def demo_site(client):
    """The demo content, plus a consultation request at each office for the front desk."""
    call_command("load_demo_content", stdout=StringIO())
    for office in Office.objects.all():
        response = client.post(reverse("bookings:request"), valid_form_data(office))
        assert response.status_code == 302, response.content
    assert ConsultationRequest.objects.count() == Office.objects.count()
    # Online booking: the demo schedule and one appointment at each office.
    call_command("load_demo_schedule", stdout=StringIO())
    for kind in ConsultationType.objects.filter(name_en="New patient consultation"):
        book_appointment(
            kind=kind,
            starts_at=first_open_slot(kind).starts_at,
            patient={"first_name": "Ana", "last_name": "Ruiz", "phone": "+12133734253"},
        )


def editors():
    """The superuser and one staff member per group (groups come from migrations)."""
    yield "superuser", User.objects.create_superuser("root", "root@example.org", "x")
    for group in Group.objects.order_by("name"):
        user = User.objects.create_user(group.name.lower().replace(" ", "-"), is_staff=True)
        user.groups.add(group)
        # Every office's requests, so the front desk's walk reaches each of them.
        StaffProfile.objects.create(user=user, all_offices=True)
        yield group.name, User.objects.get(pk=user.pk)  # a fresh permission cache


def registered_models() -> list:
    """Every model in the admin, read from the admin site's app list as a superuser sees it."""
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    return [entry["model"] for app in admin.site.get_app_list(request) for entry in app["models"]]


def as_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_every_admin_change_form_saves_unchanged_for_everyone_who_may_edit_it(demo_site, client):
    checked = []
    for role, user in list(editors()):
        sign_in(client, user)
        request = as_request(user)
        for model in registered_models():
            model_admin = admin.site.get_model_admin(model)
            for obj in model_admin.get_queryset(request):
                if not model_admin.has_change_permission(request, obj):
                    continue
                url = admin_url(model, "change", obj.pk)
                page = client.get(url)
                assert page.status_code == 200, f"{role} opening {url}: {page.status_code}"
                before = snapshot(obj)
                data = form_data(page.content.decode())
                data["_save"] = [""]
                response = client.post(url, data)
                assert response.status_code == 302, (
                    f"{role} saving {model.__name__} {obj.pk} unchanged: "
                    f"{response.status_code} {_errors(response)}"
                )
                changed = differences(before, snapshot(obj))
                assert not changed, f"{role} saving {model.__name__} {obj.pk} changed {changed}"
                checked.append((role, model.__name__))
    saved_models = {name for _role, name in checked}
    # The demo content has objects of these; if one is missing, the walk did not reach it.
    assert {"Treatment", "Physician", "Office", "SitePage", "Condition"} <= saved_models
    assert ("Front desk", "ConsultationRequest") in checked
    assert ("Content editor", "Treatment") in checked


def _errors(response) -> str:
    context = getattr(response, "context", None)
    if not context or "adminform" not in context:
        return ""
    inlines = context.get("inline_admin_formsets", [])
    errors = [context["adminform"].form.errors]
    errors += [inline.formset.errors for inline in inlines]
    errors += [inline.formset.non_form_errors() for inline in inlines]
    return str(errors)


# Add forms whose fields are not those of the change form (Django's user admin), or models the
# demo content has no object of: the data a person would type.
PASSWORD = "a long pass phrase 42"
ADD_FORM_DATA = {
    "User": {
        "username": "new-colleague",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "usable_password": "true",
    },
    "Redirect": {"old_path": "/old-stem-cells.html", "new_path": "/treatments/stem-cell-therapy/"},
}


def add_form_data(model, model_admin, client) -> dict | None:
    """A copy of an existing object's change form, without its inline rows and with fresh
    values for unique fields; or the typed data above."""
    if model.__name__ in ADD_FORM_DATA:
        return dict(ADD_FORM_DATA[model.__name__])
    existing = model._default_manager.order_by("pk").first()
    if existing is None:
        return None
    page = client.get(admin_url(model, "change", existing.pk))
    data = form_data(page.content.decode())
    for name in list(data):
        if name.endswith("-TOTAL_FORMS") or name.endswith("-INITIAL_FORMS"):
            data[name] = ["0"]
        elif "-" in name and name.split("-")[1].isdigit():
            del data[name]  # an inline row of the existing object
    # Unique fields, and fields unique through a one-field constraint (slugs among live pages).
    constrained = {
        constraint.fields[0]
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and len(constraint.fields) == 1
    }
    unique = [
        field
        for field in model._meta.concrete_fields
        if (field.unique or field.name in constrained) and not field.primary_key and field.editable
    ]
    for field in unique:
        names = [name for name in data if name == field.name or name.startswith(f"{field.name}_")]
        for name in names:
            data[name] = [_fresh(field, value) if value else value for value in data[name]]
    return data


def _fresh(field, value: str) -> str:
    if field.max_length and field.max_length <= 3:
        return "NEW"[: field.max_length]
    return f"new-{value}"[: field.max_length or None]


def test_every_admin_add_form_saves_valid_data_for_everyone_who_may_add(demo_site, client):
    added = []
    for role, user in list(editors()):
        sign_in(client, user)
        request = as_request(user)
        for model in registered_models():
            model_admin = admin.site.get_model_admin(model)
            if not model_admin.has_add_permission(request):
                continue
            url = admin_url(model, "add")
            page = client.get(url)
            assert page.status_code == 200, f"{role} opening {url}: {page.status_code}"
            data = add_form_data(model, model_admin, client)
            assert data is not None, f"No add data for {model.__name__}: add it to ADD_FORM_DATA"
            data["_save"] = [""]
            count = model._default_manager.count()
            response = client.post(url, data)
            assert response.status_code == 302, (
                f"{role} adding {model.__name__}: {response.status_code} {_errors(response)}"
            )
            assert model._default_manager.count() == count + 1
            model._default_manager.order_by("-pk").first().delete()
            added.append((role, model.__name__))
    assert ("Content editor", "Treatment") in added
    assert ("superuser", "User") in added
