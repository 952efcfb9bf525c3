import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_is_in_indonesian(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "Masuk ke portal" in response.content.decode()
    assert response["Content-Language"] == "id"


def test_english_is_available(client):
    response = client.get("/accounts/login/", headers={"accept-language": "en"})
    assert "Log in to the portal" in response.content.decode()


def test_admin_lists_reference_models(client, admin_user):
    client.force_login(admin_user)
    for path in [
        "/admin/regions/region/?q=Bangka",
        "/admin/regions/desa/?jenis__exact=desa",
        "/admin/regions/kecamatan/",
        "/admin/regions/opd/",
        "/admin/penilaian/indicator/?edition__program=kla",
        "/admin/penilaian/edition/",
        "/admin/penilaian/awardresult/?conflicting__exact=1",
    ]:
        assert client.get(path).status_code == 200, path
