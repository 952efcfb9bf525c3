"""OpenAPI descriptions shared by the API views: error responses, parameters and examples.

Descriptions and examples are in Bahasa Indonesia, the language of the portal's users and of the
error bodies they describe.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from api import serializers as s
from penilaian.models import Program

ERROR_401 = OpenApiResponse(
    s.ErrorSerializer,
    description="Belum masuk: kirim header `Authorization: Token <token>` atau masuk (sesi).",
    examples=[
        OpenApiExample(
            "Tanpa token",
            value={
                "detail": "Masuk atau kirim token API pada header: Authorization: Token <token>.",
                "code": "not_authenticated",
            },
            status_codes=["401"],
        )
    ],
)
ERROR_403 = OpenApiResponse(
    s.ErrorSerializer,
    description="Tidak diizinkan: akun tanpa peran, atau peran yang tidak boleh melakukan ini.",
)
ERROR_404 = OpenApiResponse(
    s.ErrorSerializer,
    description="Tidak ditemukan, atau di luar wilayah Anda (tidak pernah dibedakan).",
    examples=[
        OpenApiExample(
            "Di luar wilayah",
            value={"detail": "Wilayah tidak ditemukan.", "code": "not_found"},
            status_codes=["404"],
        )
    ],
)
ERROR_400 = OpenApiResponse(
    s.VALIDATION_ERROR_SCHEMA,
    description="Parameter tidak sah; pesan per parameter.",
    examples=[
        OpenApiExample(
            "Tahun tidak sah",
            value={"year": ["Tahun harus bilangan bulat, misalnya 2025."]},
            status_codes=["400"],
        )
    ],
)
ERROR_429 = OpenApiResponse(s.ErrorSerializer, description="Terlalu banyak permintaan.")


def list_responses(page: type, *, bad_params: bool = True) -> dict[int, Any]:
    responses: dict[int, Any] = {200: page, 401: ERROR_401, 403: ERROR_403, 404: ERROR_404}
    if bad_params:
        responses[400] = ERROR_400
    responses[429] = ERROR_429
    return responses


def path_param(name: str, description: str, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, location=OpenApiParameter.PATH, description=description, **kwargs)


ASSESSMENT_PARAMS = [
    path_param("program", "Program.", enum=Program.values),
    path_param("region", "Kode wilayah Kemendagri, misalnya 19.01."),
    path_param("year", "Tahun edisi, misalnya 2025.", type=int),
]
ETAG_HEADER = OpenApiParameter(
    "ETag",
    location=OpenApiParameter.HEADER,
    response=[200],
    description='Versi penilaian, misalnya "3"; kirim kembali pada If-Match saat PATCH.',
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    description='ETag yang Anda baca dari GET (misalnya "3"). Wajib, kecuali Anda mengirim '
    "`version` di badan permintaan; tanpa keduanya PATCH ditolak dengan 428. Jika penilaian "
    "sudah berubah sejak itu, perubahan ditolak dengan 412 dan tidak ada yang disimpan. "
    '`If-Match: *` berarti "timpa versi apa pun yang sekarang" (RFC 9110). Penilaian yang '
    'belum dimulai berversi 1 ("1").',
)
ERROR_412 = OpenApiResponse(
    s.ErrorSerializer,
    description="If-Match tidak cocok dengan versi sekarang: baca lagi, ulangi perubahan. "
    "Tidak ada yang disimpan.",
    examples=[
        OpenApiExample(
            "Versi usang",
            value={
                "detail": "Data sudah berubah sejak Anda membacanya. Baca lagi dan ulangi "
                "perubahan Anda.",
                "code": "precondition_failed",
            },
            status_codes=["412"],
        )
    ],
)
ERROR_413 = OpenApiResponse(
    s.ErrorSerializer,
    description="Badan permintaan terlalu besar (lebih dari 2 MB, `API_MAX_BODY_BYTES`). "
    "Tidak ada yang disimpan.",
    examples=[
        OpenApiExample(
            "Terlalu besar",
            value={
                "detail": "Badan permintaan terlalu besar: paling banyak 2 MB. Tidak ada yang "
                "disimpan.",
                "code": "too_large",
            },
            status_codes=["413"],
        )
    ],
)
ERROR_428 = OpenApiResponse(
    s.ErrorSerializer,
    description="Tanpa If-Match dan tanpa `version`: kirim versi yang Anda baca. Tidak ada "
    "yang disimpan.",
    examples=[
        OpenApiExample(
            "Tanpa versi",
            value={
                "detail": "Kirim versi yang Anda baca: header If-Match dengan ETag dari GET "
                '(misalnya If-Match: "3"), atau "version" di badan permintaan. Tidak ada yang '
                "disimpan.",
                "code": "precondition_required",
            },
            status_codes=["428"],
        )
    ],
)
LOCKED_409 = OpenApiResponse(
    s.ErrorSerializer,
    description="Penilaian sudah diajukan atau diverifikasi (terkunci, kode `locked`), atau "
    "`version` di badan permintaan sudah usang (kode `stale`). Tidak ada yang disimpan.",
    examples=[
        OpenApiExample(
            "Terkunci",
            value={
                "detail": "Penilaian ini sudah diverifikasi dan terkunci; tidak dapat diubah.",
                "code": "locked",
            },
            status_codes=["409"],
        )
    ],
)

REGION_EXAMPLES = [
    OpenApiExample(
        "Koordinator Kabupaten Bangka",
        value={
            "count": 1,
            "next": None,
            "previous": None,
            "results": [{"code": "19.01", "name": "Kabupaten Bangka", "kind": "kabupaten"}],
        },
        response_only=True,
    )
]

INDICATOR_EXAMPLES = [
    OpenApiExample(
        "Satu indikator KLA",
        value={
            "count": 1,
            "next": None,
            "previous": None,
            "results": [
                {
                    "code": "KLA-1-01",
                    "program": "kla",
                    "year": 2025,
                    "group": "klaster_1",
                    "order": 1,
                    "text": "Persentase anak yang teregistrasi dan mendapatkan "
                    "Kutipan Akta Kelahiran",
                    "max_score": 40,
                    "kind": "percent",
                    "unit": "%",
                    "options": [
                        {"label": "", "points": 0, "value": None, "min": 0, "max": 49.99},
                        {"label": "", "points": 40, "value": None, "min": 90, "max": 100},
                    ],
                    "owner_opd": "dukcapil",
                    "evidence_required": False,
                }
            ],
        },
        response_only=True,
    )
]

READINESS_EXAMPLES = [
    OpenApiExample(
        "Kabupaten Bangka 2025",
        value={
            "count": 1,
            "next": None,
            "previous": None,
            "results": [
                {
                    "region": "19.01",
                    "region_name": "Kabupaten Bangka",
                    "year": 2025,
                    "ape": {
                        "score": 72.5,
                        "max_score": 100,
                        "category": "Nindya",
                        "next_category": "Utama",
                        "points_to_next": 7.5,
                        "status": "verified",
                        "state": "verified",
                        "incomplete": False,
                        "verified_at": "2025-11-20T03:15:00Z",
                        "prerequisites": [
                            {
                                "code": "komitmen",
                                "score": 13,
                                "max_score": 15,
                                "state": "terpenuhi",
                            }
                        ],
                    },
                    "kla": {
                        "score": 609.93,
                        "predicate": "Madya",
                        "next_predicate": "Nindya",
                        "points_to_next": 91.07,
                        "status": "submitted",
                        "state": "submitted",
                        "incomplete": True,
                        "verified_at": None,
                        "groups": [{"code": "kelembagaan", "score": 150, "max_score": 200}],
                    },
                    "kampung_kb": {
                        "desa_total": 79,
                        "kampung_kb": 46,
                        "standar": 20,
                        "cikar": 12,
                        "persen_kampung_kb": 58.23,
                        "status": "draft",
                        "state": "draft",
                        "incomplete": True,
                        "verified_at": None,
                    },
                }
            ],
        },
        response_only=True,
    )
]

PATCH_EXAMPLES = [
    OpenApiExample(
        "KLA",
        value={"version": 3, "values": {"KLA-1-01": 92.5, "KLA-KL-01": 40}},
        request_only=True,
    ),
    OpenApiExample(
        "Kampung KB",
        value={
            "version": 3,
            "desa": {
                "19.01.03.2001": {
                    "kampung_kb": True,
                    "akta_kelahiran_persen": 91.5,
                    "industri_rumahan": "berkembang",
                }
            },
        },
        request_only=True,
    ),
]

PATCH_400 = OpenApiResponse(
    s.VALIDATION_ERROR_SCHEMA,
    description="Nilai tidak sah (pesan per kunci seperti badan permintaan), atau badan yang "
    "tidak dapat dibaca: bukan JSON, bersarang lebih dari 10 tingkat, NaN/Infinity, kunci "
    'ganda (`{"detail", "code"}` dengan kode `parse_error`, `too_deep`, `not_a_number`, '
    "`duplicate_key`). Tidak ada yang disimpan.",
    examples=[
        OpenApiExample(
            "Nilai di luar rentang",
            value={"values": {"KLA-1-01": ["Persentase harus antara 0 dan 100."]}},
            status_codes=["400"],
        ),
        OpenApiExample(
            "Kampung KB",
            value={
                "desa": {
                    "19.01.03.2001": {
                        "akta_kelahiran_persen": [
                            "Persentase akta kelahiran harus antara 0 dan 100."
                        ]
                    }
                }
            },
            status_codes=["400"],
        ),
        OpenApiExample(
            "Teks untuk angka",
            value={"values": {"KLA-1-01": ["Kirim nilai sebagai angka, bukan teks."]}},
            status_codes=["400"],
        ),
        OpenApiExample(
            "Terlalu dalam",
            value={
                "detail": "JSON bersarang terlalu dalam (paling banyak 10 tingkat).",
                "code": "too_deep",
            },
            status_codes=["400"],
        ),
        OpenApiExample(
            "Status lewat PATCH",
            value={
                "status": [
                    "Status tidak dapat diubah lewat API: ajukan, verifikasi dan "
                    "kembalikan di halaman penilaian."
                ]
            },
            status_codes=["400"],
        ),
    ],
)
