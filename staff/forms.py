"""Forms of two-step sign-in: the admin login with the lock message, and the code forms."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils import timezone

from .lockout import lock_in_force


class StaffAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, saying so when the account is locked instead of "wrong password"."""

    def clean(self):
        username = self.cleaned_data.get("username")
        lock = lock_in_force(username) if username else None
        if lock:
            raise forms.ValidationError(
                "This account is locked until %(until)s after many failed sign-ins. "
                "Please try again then, or ask a site administrator to lift the lock.",
                code="account_locked",
                params={"until": f"{timezone.localtime(lock.locked_until):%H:%M}"},
            )
        return super().clean()


class CodeForm(forms.Form):
    """A six-digit code from an authenticator app (or a recovery code, where allowed)."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
                "class": "vTextField",
            }
        ),
    )

    def __init__(self, *args, recovery_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery_allowed:
            self.fields["code"].help_text = (
                "The 6-digit code your authenticator app shows now, or one of your recovery "
                "codes if you do not have your phone."
            )
        else:
            self.fields["code"].help_text = "The 6-digit code your authenticator app shows now."
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self):
        # People copy codes with spaces or dashes ("123 456", "ab3d-7kq2"); keep what counts.
        return "".join(ch for ch in self.cleaned_data["code"] if ch.isalnum()).lower()

    @property
    def is_app_code(self) -> bool:
        code = self.cleaned_data.get("code", "")
        return code.isdigit() and len(code) == 6
