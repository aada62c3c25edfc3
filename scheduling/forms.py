from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings import consent
from bookings.forms import (
    MESSAGE_HINT,
    ConsultationRequestForm,
    MessageField,
    reject_control_characters,
    reject_control_characters_in_text,
)
from bookings.spam import issue_form_token, read_form_token

from .availability import parse_slot

# The request form's own contact fields, with their labels, messages and validators, so the two
# forms ask the same way; each form instance gets its own copy (Form.base_fields).
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone")


class BookingDetailsForm(forms.Form):
    """The patient's details for a chosen time: as the request form asks them."""

    first_name = ConsultationRequestForm.base_fields["first_name"]
    last_name = ConsultationRequestForm.base_fields["last_name"]
    email = ConsultationRequestForm.base_fields["email"]
    phone = ConsultationRequestForm.base_fields["phone"]
    message = MessageField(
        label=_("Anything we should know before your visit?"),
        max_length=1000,
        required=False,
        help_text=MESSAGE_HINT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _(
                "Please shorten your message to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    consent_to_contact = forms.BooleanField(
        error_messages={
            "required": _("Please tick this box so we are allowed to contact you about your visit.")
        },
    )
    slot = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": _("Please choose a time for your visit.")},
    )
    consent_wording = forms.CharField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version = (self.data.get("consent_wording") if self.is_bound else "") or ""
        self.consent_outdated = bool(version) and version not in consent.VERSIONS
        if version not in consent.VERSIONS:
            version = consent.current().version
            if self.is_bound:
                self.data = self.data.copy()
                self.data["consent_wording"] = version
                if self.consent_outdated:
                    self.data.pop("consent_to_contact", None)
        if self.is_bound and read_form_token(self.data.get("token")) is None:
            self.data = self.data.copy()
            self.data["token"] = issue_form_token()
        self.consent = consent.VERSIONS[version]
        self.fields["consent_to_contact"].label = self.consent.contact
        self.fields["consent_wording"].initial = version
        if not self.is_bound:
            self.fields["token"].initial = issue_form_token()
        for field in self.fields.values():
            # As the request form: one clear message for NUL and other control characters.
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]
        for name in CONTACT_FIELDS:
            self.fields[name].validators.append(reject_control_characters)
        self.fields["message"].validators.append(reject_control_characters_in_text)

    # The request form's phone rule (E.164 and extension), shared rather than copied.
    clean_phone = ConsultationRequestForm.clean_phone

    def clean_slot(self):
        moment = parse_slot(self.cleaned_data["slot"])
        if moment is None:
            raise ValidationError(
                gettext("Please choose a time for your visit."), code="invalid_slot"
            )
        return moment

    def clean(self):
        cleaned = super().clean()
        cleaned["phone_extension"] = getattr(self, "_phone_extension", "")
        cleaned["consent_version"] = self.consent.version
        if self.consent_outdated:
            self._errors.pop("consent_to_contact", None)
            self.add_error(
                "consent_to_contact",
                ValidationError(
                    gettext(
                        "We updated this wording while you were filling in the form. Please "
                        "read it and tick the box again."
                    ),
                    code="consent_updated",
                ),
            )
        return cleaned

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    @cached_property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.field_template = "bookings/crispy/field.html"
        helper.layout = Layout(
            Fieldset(gettext("About you"), *CONTACT_FIELDS),
            Fieldset(gettext("Your message"), "message"),
            Fieldset(gettext("Your agreement"), "consent_to_contact"),
            Div("website", css_class="d-none", aria_hidden="true"),
            "consent_wording",
            "token",
        )
        return helper

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor id, message) in page order; the time links to its choices."""
        links = [("", error) for error in self.non_field_errors()]
        for error in self.errors.get("slot", []):
            links.append(("your-time", error))
        for name in self.fields:
            if name in self.errors and name != "slot" and not self.fields[name].widget.is_hidden:
                links.extend((self[name].auto_id, error) for error in self[name].errors)
        return links
