"""Password reset by e-mail that tells the truth.

Django's reset page says "sent" whatever happened: with no mail server it logs "Failed to send"
and shows the same success page. Here, without a configured mail server the page tells the user
to ask the provincial admin and offers no form; a failed send shows an error, never "sent".
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from regions import mail


class TruthfulPasswordResetForm(PasswordResetForm):
    """Django's form, except that a sending failure raises :class:`mail.MailNotSent`."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        mail.send(message)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = TruthfulPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        return {"product_name": settings.PRODUCT_NAME}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mail_configured"] = mail.mail_configured()
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not mail.mail_configured():
            # nothing can be sent: show the page that says whom to ask, send nothing
            return self.render_to_response(self.get_context_data(), status=503)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form) -> HttpResponse:
        try:
            return super().form_valid(form)
        except mail.MailNotSent:
            form.add_error(
                None,
                _(
                    "The e-mail could not be sent. Please try again later, or ask the provincial "
                    "admin to reset your password."
                ),
            )
            return self.form_invalid(form)
