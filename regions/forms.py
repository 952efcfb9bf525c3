"""Forms of the account pages."""

from django import forms

from regions.models import Preference


class PreferenceForm(forms.ModelForm):
    """The user's e-mail choice on the profile page."""

    class Meta:
        model = Preference
        fields = ["email_notifications"]
