"""Evidence documents (bukti dukung): checking uploads by content, storing them, finding them.

An upload is accepted only when its content is a PDF, a JPEG/PNG image, an XLSX workbook or a
DOCX document (1 byte to 10 MB) and its file name's extension agrees with that content. Office
files are zip packages: they must declare the workbook/document main part in
``[Content_Types].xml`` and hold ``xl/`` or ``word/`` entries; macro-enabled packages, encrypted
(OLE) files and packages that inflate to absurd sizes are refused. Stored files get a random name
(:func:`penilaian.models.evidence_upload_to`) under ``MEDIA_ROOT`` and are only served through a
view that checks scope.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from penilaian.models import Document
from regions.models import Region
from regions.scoping import Scope

MAX_SIZE = 10 * 1024 * 1024
# A genuine office file of ≤ 10 MB does not inflate beyond this; zip bombs do.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_CONTENT_TYPES_XML = 256 * 1024

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

EXTENSIONS: dict[str, str] = {
    ".pdf": PDF,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".png": PNG,
    ".xlsx": XLSX,
    ".docx": DOCX,
}
ACCEPT = ",".join(EXTENSIONS)  # for <input type="file" accept="…">

# Optional metadata a document may carry (jenis, nomor, tanggal, berlaku sampai, penerbit).
METADATA_FIELDS = ("doc_kind", "number", "issued_on", "valid_until", "issuer")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# The main part of each package, as declared in [Content_Types].xml.
_MAIN_PART = {
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
}
_PACKAGE_DIR = {XLSX: "xl/", DOCX: "word/"}
_MACRO_MARKERS = (b"macroenabled", b"vbaproject", b"application/vnd.ms-office.vba")


@dataclass(frozen=True)
class CheckedUpload:
    """What :func:`inspect_upload` learnt about an accepted file."""

    content_type: str
    extension: str
    size: int


def validate_upload(uploaded_file: UploadedFile) -> None:
    """Raise ``ValidationError`` (message in the UI language) unless the upload is acceptable."""
    inspect_upload(uploaded_file)


def inspect_upload(uploaded_file: UploadedFile) -> CheckedUpload:
    """Check size, extension and content of an upload; return the detected content type."""
    size = uploaded_file.size or 0
    if size <= 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_SIZE:
        raise ValidationError(
            _("The file is too large (%(size)s MB); at most 10 MB is allowed.")
            % {"size": f"{size / 1024 / 1024:.1f}".replace(".", ",")},
            code="too_large",
        )
    extension = PurePath(uploaded_file.name or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise ValidationError(
            _("Only PDF, JPG/PNG, XLSX and DOCX files are accepted."), code="extension"
        )
    content_type = _detect(uploaded_file)
    if EXTENSIONS[extension] != content_type:
        raise ValidationError(
            _("The file content does not match its extension %(extension)s.")
            % {"extension": extension},
            code="mismatch",
        )
    return CheckedUpload(content_type=content_type, extension=extension, size=size)


def _detect(uploaded_file: UploadedFile) -> str:
    """The content type of an accepted kind, read from the bytes; ValidationError otherwise."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    if head.startswith(OLE_MAGIC):
        raise ValidationError(
            _(
                "Encrypted or old-format Office files (.xls, .doc) are not accepted; "
                "save the file as XLSX, DOCX or PDF without a password."
            ),
            code="ole",
        )
    if head.startswith(ZIP_MAGIC):
        return _detect_office(uploaded_file)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in (PDF, JPEG, PNG):
        return kind.mime
    raise ValidationError(
        _("The file content is not a PDF, JPG/PNG, XLSX or DOCX document."), code="content"
    )


def _detect_office(uploaded_file: UploadedFile) -> str:
    """XLSX or DOCX from the package's parts; refuses macros, bombs and other zips."""
    not_office = ValidationError(
        _("The file content is not a PDF, JPG/PNG, XLSX or DOCX document."), code="content"
    )
    try:
        with zipfile.ZipFile(uploaded_file) as package:
            infos = package.infolist()
            if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
                raise ValidationError(
                    _("The file unpacks to an unreasonable size and is refused."), code="bomb"
                )
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names:
                raise not_office
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_XML:
                raise not_office
            declared = package.read(info).lower()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, RuntimeError):
        # RuntimeError: an encrypted zip member.
        raise not_office from None
    finally:
        uploaded_file.seek(0)
    if any(marker in declared for marker in _MACRO_MARKERS) or any(
        name.lower().endswith("vbaproject.bin") for name in names
    ):
        raise ValidationError(
            _("Files with macros (.xlsm, .docm) are not accepted; save the file without macros."),
            code="macro",
        )
    for content_type, main_part in _MAIN_PART.items():
        directory = _PACKAGE_DIR[content_type]
        if main_part in declared and any(name.startswith(directory) for name in names):
            return content_type
    raise not_office


def sha256_of(uploaded_file: UploadedFile) -> str:
    """Hex SHA-256 of the whole upload, read in chunks."""
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def store_document(
    uploaded_file: UploadedFile,
    *,
    region: Region | None,
    title: str,
    user,
    metadata: Mapping[str, object] | None = None,
) -> Document:
    """Validate and store an upload as a :class:`Document` of ``region`` (random file name).

    Raises ``ValidationError`` and stores nothing when the file is refused.
    """
    checked = inspect_upload(uploaded_file)
    original = PurePath(uploaded_file.name or "").name[:250]
    title = (title or "").strip()[:250] or PurePath(original).stem[:250] or original
    document = Document(
        region=region,
        title=title,
        original_name=original,
        content_type=checked.content_type,
        size=checked.size,
        sha256=sha256_of(uploaded_file),
        uploaded_by=user if getattr(user, "pk", None) else None,
        **{k: v for k, v in (metadata or {}).items() if k in METADATA_FIELDS},
    )
    uploaded_file.seek(0)
    document.file.save(original, uploaded_file, save=False)
    try:
        with transaction.atomic():
            document.save()
    except BaseException:
        document.file.delete(save=False)
        raise
    return document


def documents_in_scope(scope: Scope) -> QuerySet[Document]:
    """Documents a user may read: of a region in scope, or backing an assessment in scope."""
    if scope.is_anonymous:
        return Document.objects.none()
    if scope.is_provincial:
        return Document.objects.all()
    own = scope.region_q("region")
    linked = Q(
        pk__in=Document.objects.filter(scope.region_q("links__assessment__region")).values("pk")
    )
    return Document.objects.filter(own | linked)


def document_date_warnings(document: Document, period) -> list[str]:
    """The date warnings of ``document`` for ``period``, as sentences in the UI language."""
    from penilaian.validity import Problem, date_warnings

    messages = []
    for warning in date_warnings(document.issued_on, document.valid_until, period):
        if warning.problem == Problem.DATED_AFTER:
            messages.append(
                _("Dated %(date)s, after the assessment period (ends %(end)s).")
                % {"date": warning.document_date.isoformat(), "end": period.end.isoformat()}
            )
        else:
            messages.append(
                _("Valid only until %(date)s, before the assessment period (starts %(start)s).")
                % {"date": warning.document_date.isoformat(), "start": period.start.isoformat()}
            )
    return messages
