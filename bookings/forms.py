import re
import unicodedata

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pages.models import Office, Treatment

from . import consent
from .medical import medical_detail_found
from .models import WEEKDAYS, ConsultationRequest
from .spam import issue_form_token, read_form_token

MESSAGE_HINT = _(
    "Please include non-medical questions only; do not send medical records or details of "
    "your condition. Up to 1,000 characters."
)


def reject_control_characters(value: str, allowed: str = "") -> None:
    """Refuse invisible control characters (NUL and friends) that are often pasted by accident."""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise ValidationError(
            gettext(
                "Please remove the hidden control characters from this field; they may have "
                "come in with pasted text."
            ),
            code="control_characters",
        )


def reject_control_characters_in_text(value: str) -> None:
    reject_control_characters(value, allowed="\n\t")


NAME_MAX_LENGTH = 60
# Besides letters (any alphabet, with their accents): the marks names are written with.
NAME_PUNCTUATION = frozenset(" -‐'’.")
# A word, a dot and a word, as in a web address ("evil.example"); initials ("J.R.") pass.
ADDRESS_LIKE = re.compile(r"[^\W\d_]{2,}\.[^\W\d_]{2,}")


def looks_like_an_address(value: str) -> bool:
    return "@" in value or "://" in value or bool(ADDRESS_LIKE.search(value))


def validate_name(value: str) -> None:
    """A name, not a message: letters and the few marks names use; no web or email address."""
    if looks_like_an_address(value):
        raise ValidationError(
            gettext("Please enter only your name here, without web or email addresses."),
            code="name_has_address",
        )
    if any(not is_name_character(ch) for ch in value):
        raise ValidationError(
            gettext(
                "Please use only letters, spaces, hyphens (-), apostrophes (') and periods (.) "
                "in your name."
            ),
            code="name_characters",
        )


def is_name_character(ch: str) -> bool:
    # Control characters get their own message (reject_control_characters).
    return ch in NAME_PUNCTUATION or unicodedata.category(ch)[0] in {"L", "M"} or ch < " "


def normalise_name(value: str) -> str:
    """One way of writing each letter (NFC), without invisible format characters (zero-width
    spaces and joiners, bidi overrides, soft hyphens), so staff can search for what they see."""
    value = unicodedata.normalize("NFC", value)
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf")


class NameField(forms.CharField):
    """A name on one line: newlines, tabs and runs of spaces become one space."""

    def to_python(self, value):
        # A line break in a name could break an email header; keep the words, drop the breaks.
        return " ".join(normalise_name(super().to_python(value)).split())


class MessageField(forms.CharField):
    """Counts a line break as one character, as the browser's maxlength does."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, office):
        return f"{office.name} ({office.street_address}, {office.city})"


class ConsultationRequestForm(forms.Form):
    """What a patient fills in. A plain form: submit_consultation_request() runs the model's
    own checks once, on the whole request, so they are not repeated here with queries."""

    first_name = NameField(
        label=_("First name"),
        max_length=NAME_MAX_LENGTH,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={
            "required": _("Please enter your first name."),
            "max_length": _(
                "Please shorten your first name to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    last_name = NameField(
        label=_("Last name"),
        max_length=NAME_MAX_LENGTH,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={
            "required": _("Please enter your last name."),
            "max_length": _(
                "Please shorten your last name to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter an email address like name@example.com."),
            "max_length": _(
                "Please shorten your email address to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        help_text=_("Any format is fine, for example 818-555-0123."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={
            "required": _("Please enter a phone number we can reach you on."),
            "max_length": _(
                "Please shorten the phone number to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    office = OfficeChoiceField(
        label=_("Which office would you like to visit?"),
        queryset=Office.objects.all(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the office you would like to visit.")},
    )
    treatment = forms.ModelChoiceField(
        label=_("Treatment you are interested in"),
        queryset=Treatment.objects.none(),
        required=False,
        empty_label=_("Not sure yet"),
        help_text=_("Optional. Choose “Not sure yet” if you would like our advice."),
    )
    patient_status = forms.ChoiceField(
        label=_("Have you been a patient with us before?"),
        choices=[
            ("new", _("No, I am a new patient")),
            ("existing", _("Yes, I am an existing patient")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please tell us whether you are a new or existing patient.")},
    )
    contact_method = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=ConsultationRequest.ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how we should contact you.")},
    )
    preferred_days = forms.MultipleChoiceField(
        label=_("Which days suit you best?"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Optional. Leave these empty if any weekday is fine."),
    )
    preferred_time = forms.ChoiceField(
        label=_("What time of day suits you best?"),
        choices=[("", _("No preference")), *ConsultationRequest.TimeOfDay.choices],
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )
    payment = forms.ChoiceField(
        label=_("How do you plan to pay?"),
        choices=ConsultationRequest.Payment.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Optional. This helps us prepare; you can change your mind later."),
    )
    message = MessageField(
        label=_("Your message"),
        max_length=1000,
        help_text=MESSAGE_HINT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Please write a short message, for example what you would like to ask."),
            "max_length": _(
                "Please shorten your message to %(limit_value)d characters or fewer "
                "(it has %(show_value)d)."
            ),
        },
    )
    consent_to_contact = forms.BooleanField(
        error_messages={
            "required": _(
                "Please tick this box so we are allowed to contact you about your request."
            ),
        },
    )
    consent_to_texts = forms.BooleanField(required=False)

    # Hidden: the consent version shown, the one-time form token, and the medical-detail check.
    consent_wording = forms.CharField(widget=forms.HiddenInput, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    medical_checked = forms.BooleanField(widget=forms.HiddenInput, required=False)
    # Honeypot: hidden from people and assistive technology, so only bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, office_slug=None, treatment_slug=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.medical_findings: list[str] = []
        self.fields["treatment"].queryset = Treatment.objects.published()
        self.consent_outdated = False
        version = (self.data.get("consent_wording") if self.is_bound else None) or ""
        if version not in consent.VERSIONS:
            if version:
                # The patient saw wording we no longer have: show today's and ask again.
                self.consent_outdated = True
                self.data = self.data.copy()
                self.data.pop("consent_to_contact", None)
                self.data.pop("consent_to_texts", None)
            version = consent.current().version
            if self.is_bound:
                self.data = self.data.copy()
                self.data["consent_wording"] = version
        if self.is_bound and read_form_token(self.data.get("token")) is None:
            # Only a bot or a broken page posts without a token; give the next try a fresh one.
            self.data = self.data.copy()
            self.data["token"] = issue_form_token()
        wording = consent.VERSIONS[version]
        self.consent = wording
        self.fields["consent_to_contact"].label = wording.contact
        self.fields["consent_to_texts"].label = wording.texts
        # Next to the consent, and read out with it (Django links help text by aria-describedby).
        self.fields["consent_to_contact"].help_text = format_html(
            gettext('How we use and protect your details: our <a href="{url}">privacy notice</a>.'),
            url=reverse("pages:site_page_short", kwargs={"slug": "privacy"}),
        )
        self.fields["consent_wording"].initial = version
        if not self.is_bound:
            self.fields["token"].initial = issue_form_token()
            self._preselect(office_slug, treatment_slug)
        for field in self.fields.values():
            # One kind, clear message for NUL and other control characters (see below).
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]
        for name in ("first_name", "last_name", "email", "phone"):
            self.fields[name].validators.append(reject_control_characters)
        self.fields["message"].validators.append(reject_control_characters_in_text)

    def _preselect(self, office_slug, treatment_slug):
        """Preselect from ?office= and ?treatment=; unknown or unpublished slugs are ignored."""
        if office_slug:
            office = Office.objects.filter(slug=str(office_slug)[:50]).first()
            if office:
                self.initial["office"] = office.pk
        if treatment_slug:
            treatment = Treatment.objects.published().filter(slug=str(treatment_slug)[:50]).first()
            if treatment:
                self.initial["treatment"] = treatment.pk

    @cached_property
    def helper(self) -> FormHelper:
        """The layout for {% crispy form %}, built only when the form is shown."""
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        helper.field_template = "bookings/crispy/field.html"
        helper.layout = Layout(
            Fieldset(gettext("About you"), "first_name", "last_name", "email", "phone"),
            Fieldset(
                gettext("Your visit"),
                "office",
                "treatment",
                "patient_status",
                "contact_method",
                "preferred_days",
                "preferred_time",
                "payment",
            ),
            Fieldset(gettext("Your message"), "message"),
            Fieldset(gettext("Your agreement"), "consent_to_contact", "consent_to_texts"),
            Div("website", css_class="d-none", aria_hidden="true"),
            "consent_wording",
            "token",
            "medical_checked",
        )
        return helper

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        problem = ValidationError(
            gettext(
                "Please enter a phone number we can call, for example 818-555-0123. "
                "Numbers outside the US need their country code, such as +44."
            ),
            code="invalid_phone",
        )
        try:
            number = phonenumbers.parse(raw, "US")
        except phonenumbers.NumberParseException:
            raise problem from None
        if not phonenumbers.is_valid_number(number):
            raise problem
        self._phone_extension = (number.extension or "")[:10]
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_preferred_days(self):
        chosen = self.cleaned_data["preferred_days"]
        # Stored in weekday order, whatever order the browser sent.
        return ",".join(code for code, _ in WEEKDAYS if code in chosen)

    def clean_message(self):
        message = self.cleaned_data["message"]
        self.medical_findings = medical_detail_found(message)
        return message

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
        if cleaned.get(
            "contact_method"
        ) == ConsultationRequest.ContactMethod.TEXT and not cleaned.get("consent_to_texts"):
            self.add_error(
                "consent_to_texts",
                ValidationError(
                    gettext(
                        "You asked us to contact you by text message. Please tick this box to "
                        "allow texts, or choose phone or email instead."
                    ),
                    code="texts_need_consent",
                ),
            )
        return cleaned

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    @property
    def needs_medical_warning(self) -> bool:
        """True the first time a message looks medical; the patient may then send it anyway."""
        return bool(self.medical_findings) and not self.cleaned_data.get("medical_checked")

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor id, message) in page order; option groups link to their first option."""
        links = [("", error) for error in self.non_field_errors()]
        for name, field in self.fields.items():
            if name not in self.errors or field.widget.is_hidden:
                continue
            bound = self[name]
            grouped = isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
            anchor = f"{bound.auto_id}_0" if grouped else bound.auto_id
            links.extend((anchor, error) for error in bound.errors)
        return links

    def mark_medical_warning_shown(self) -> None:
        self.data = self.data.copy()
        self.data["medical_checked"] = "1"
        self.fields["message"].widget.attrs["aria-describedby"] = (
            "id_message_helptext medical-warning"
        )
