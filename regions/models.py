"""Regions (Kemendagri codes), OPD and the user ↔ region ↔ OPD ↔ role assignment."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """The province (``19``) and its kabupaten/kota (``19.01`` …)."""

    class Kind(models.TextChoices):
        PROVINSI = "provinsi", _("Province")
        KABUPATEN = "kabupaten", _("Regency")
        KOTA = "kota", _("City")

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("region")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="provinsi", parent__isnull=True)
                | (~Q(kind="provinsi") & Q(parent__isnull=False)),
                name="region_parent_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_province(self) -> bool:
        return self.kind == self.Kind.PROVINSI


class Kecamatan(models.Model):
    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("regency/city"), on_delete=models.PROTECT, related_name="kecamatan"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("district")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Desa(models.Model):
    """A desa or kelurahan; the 4-digit part of the code starts with 2 (desa) or 1 (kelurahan)."""

    class Jenis(models.TextChoices):
        DESA = "desa", _("Village")
        KELURAHAN = "kelurahan", _("Urban village")

    code = models.CharField(_("code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kecamatan = models.ForeignKey(
        Kecamatan, verbose_name=_("district"), on_delete=models.PROTECT, related_name="desa"
    )
    # Denormalised from kecamatan so that per-region reads need no join (kept in sync in save()).
    region = models.ForeignKey(
        Region, verbose_name=_("regency/city"), on_delete=models.PROTECT, related_name="desa"
    )
    jenis = models.CharField(_("kind"), max_length=10, choices=Jenis.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("village")
        indexes = [models.Index(fields=["region", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.region_id = self.kecamatan.region_id
        super().save(*args, **kwargs)


class OpdKind(models.Model):
    """A standard kind of OPD (``dinkes``, ``bappeda`` …) that every kab/kota has."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short = models.CharField(_("short name"), max_length=40)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency kind")
        verbose_name_plural = _("agency kind")

    def __str__(self) -> str:
        return self.short


class Opd(models.Model):
    """One OPD of one kab/kota (e.g. Dinas Kesehatan Kabupaten Bangka)."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="opd"
    )
    kind = models.ForeignKey(OpdKind, verbose_name=_("kind"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=250)

    class Meta:
        ordering = ["region__code", "kind__code"]
        verbose_name = _("agency (OPD)")
        verbose_name_plural = _("agency (OPD)")
        constraints = [models.UniqueConstraint(fields=["region", "kind"], name="opd_unique_kind")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Provincial admin")
    VERIFIKATOR = "verifikator", _("Provincial verifier")
    PIMPINAN = "pimpinan", _("Head of office")
    KOORDINATOR = "koordinator", _("Regency/city coordinator")
    OPERATOR = "operator", _("Agency (OPD) operator")


PROVINCIAL_ROLES = (Role.ADMIN, Role.VERIFIKATOR, Role.PIMPINAN)


class Assignment(models.Model):
    """Ties a user to a role and, for regional roles, to a region (and, for an operator, an OPD)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="assignment",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    opd = models.ForeignKey(
        Opd, verbose_name=_("agency (OPD)"), null=True, blank=True, on_delete=models.PROTECT
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignment")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["admin", "verifikator", "pimpinan"],
                        region__isnull=True,
                        opd__isnull=True,
                    )
                    | Q(role="koordinator", region__isnull=False, opd__isnull=True)
                    | Q(role="operator", region__isnull=False, opd__isnull=False)
                ),
                name="assignment_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        where = f" — {self.opd or self.region}" if self.region_id else ""
        return f"{self.user} ({self.get_role_display()}{where})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.role in PROVINCIAL_ROLES and (self.region_id or self.opd_id):
            raise ValidationError(_("A provincial role is not tied to one region or agency."))
        if self.role in (Role.KOORDINATOR, Role.OPERATOR) and not self.region_id:
            raise ValidationError({"region": _("A regency/city role must have a region.")})
        if self.role == Role.OPERATOR and not self.opd_id:
            raise ValidationError({"opd": _("An agency operator must have an agency (OPD).")})
        if self.role == Role.KOORDINATOR and self.opd_id:
            raise ValidationError({"opd": _("A coordinator is not tied to one agency (OPD).")})
        if self.opd_id and self.region_id and self.opd.region_id != self.region_id:
            raise ValidationError({"opd": _("The agency (OPD) must be in the same region.")})


class Preference(models.Model):
    """A user's personal choices, set on the profile page; a user without a row has the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="preference",
    )
    email_notifications = models.BooleanField(
        _("e-mail notifications"),
        default=True,
        help_text=_(
            "Send me an e-mail when an assessment I work on is submitted, returned or verified, "
            "and (koordinator) when the items returned to my region have all been changed."
        ),
    )

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def wants_email(cls, user) -> bool:
        """Whether ``user`` gets workflow e-mails (the default is yes)."""
        return not cls.objects.filter(user_id=user.pk, email_notifications=False).exists()
