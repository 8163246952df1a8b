"""Web hardening a user (or an attacker) can observe: the Content-Security-Policy on pages, no
caching of personal data, password rules with Vietnamese messages, and the login lock-out
counted per client address behind the reverse proxy of docs/install.md.

The proxy headers here are exactly what the documented nginx block sends; tests/platform/
test_nginx_proxy.py drives a real nginx with that block when nginx is installed.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from kcb06.healthbook import services
from tests.healthbook import factories as f

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE_DIRS = list((ROOT / "kcb06").glob("**/templates"))


# --- Content-Security-Policy ------------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d for d in (x.strip() for x in header.split(";")) if d}


@pytest.mark.parametrize("path", ["/login/", "/api/v1/docs"])
def test_pages_carry_a_strict_content_security_policy(client, org, path):
    csp = _csp(client.get(path))
    assert csp["script-src"] == "script-src 'self'"  # no inline script, no eval
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"


def test_each_response_gets_its_own_style_nonce(client, org):
    first, second = _csp(client.get("/login/")), _csp(client.get("/login/"))
    assert "'nonce-" in first["style-src"] and first["style-src"] != second["style-src"]


def test_no_template_has_inline_script_or_event_handlers():
    """What the CSP would block in the browser, found before it gets there."""
    offenders = []
    for tdir in TEMPLATE_DIRS:
        for path in tdir.glob("**/*.html"):
            text = path.read_text(encoding="utf-8")
            for m in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
            for m in re.finditer(r"\s(on[a-z]+)=[\"']", text):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(1)}=")
            for m in re.finditer(r"hx-(?:vals|vars)=['\"]\s*(?:js|javascript):|\shx-on[:-]", text):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)} (needs eval)")
    assert offenders == []


def test_api_docs_load_swagger_from_our_own_server(client, org):
    """/api/v1/docs on a facility network without internet: no CDN."""
    html = client.get("/api/v1/docs").content.decode()
    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", html)
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts
    assert "cdn" not in html.lower()
    for src in scripts + re.findall(r"<link[^>]*href=\"(/static/[^\"]+)\"", html):
        assert client.get(src).status_code == 200, src


def test_favicon(client, org):
    resp = client.get("/favicon.ico", follow=True)
    assert resp.status_code == 200
    assert b"<svg" in b"".join(resp.streaming_content)
    assert 'rel="icon"' in client.get("/login/").content.decode()


# --- no-store on personal data ----------------------------------------------------------------


@pytest.fixture
def closed_book(org, login):
    client = login("bacsi")
    p = f.patient("Đặng Thị Ưng Ý")
    services.close_visit(f.principal(org), f.visit(p), f.CLOSE)
    return client, p, services.book_of(p).token


def test_patient_json_is_not_cached(closed_book, api_client):
    client, p, _token = closed_book
    by_session = client.get(f"/api/v1/patients/{p.pk}/healthbook")
    assert by_session.status_code == 200
    assert "no-store" in by_session["Cache-Control"]
    by_key = api_client.get(f"/api/v1/patients/{p.pk}")  # API-key calls take a shorter path
    assert "no-store" in by_key["Cache-Control"]


def test_health_book_pages_and_pdf_are_not_cached(closed_book):
    client, _p, token = closed_book
    for name in ("book", "print", "pdf"):
        resp = client.get(reverse(f"healthbook:{name}", kwargs={"token": token}))
        assert resp.status_code == 200, name
        assert "no-store" in resp["Cache-Control"], name
    assert resp["Content-Type"] == "application/pdf"


def test_static_files_stay_cacheable(client, org):
    resp = client.get("/static/web/kcb06.css")
    assert "no-store" not in resp.get("Cache-Control", "")


# --- passwords ----------------------------------------------------------------------------------


def _errors(password: str, username: str = "tiepdon2") -> list[str]:
    user = get_user_model()(username=username, first_name="Nguyễn Văn Tiếp")
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("20261206731", "Mật khẩu không được chỉ gồm chữ số."),
        ("Xy7!q", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
        ("tiepdon2-Benh-vien-2026", "Mật khẩu không được chứa tên đăng nhập."),
        ("Tiepdon2!", "Mật khẩu không được chứa tên đăng nhập."),
        ("password123", "Mật khẩu này quá phổ biến, dễ bị đoán."),
    ],
)
def test_weak_passwords_are_refused_in_vietnamese(db, password, message):
    assert message in _errors(password)


def test_a_good_password_passes(db):
    assert _errors("Rau-muong xao toi 7") == []


def test_facility_admin_cannot_give_staff_a_password_with_their_user_name(org, login):
    client = login("quantri")
    facility = org["facilities"]["27901"]
    resp = client.post(
        reverse("admin:facilities_staffprofile_add"),
        {
            "username": "letan05",
            "password": "letan05-2026!",
            "facility": facility.pk,
            "role": "reception",
            "full_name": "Lê Tân Năm",
            "id_number": "",
            "practitioner_code": "",
        },
    )
    assert resp.status_code == 200
    assert "Mật khẩu không được chứa tên đăng nhập." in resp.content.decode()
    assert not get_user_model().objects.filter(username="letan05").exists()


# --- lock-out per client address behind the documented proxy ---------------------------------


def nginx_block() -> str:
    """The nginx server configuration of docs/install.md, section 6."""
    doc = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
    return doc.split("```nginx\n", 1)[1].split("```", 1)[0]


def _nginx_headers(client_ip: str) -> dict:
    """What the documented nginx block passes on for a client at client_ip (docs/install.md):
    X-Real-IP $remote_addr and X-Forwarded-For $remote_addr (overwritten, not appended)."""
    return {"HTTP_X_REAL_IP": client_ip, "HTTP_X_FORWARDED_FOR": client_ip}


def _fail_logins(org, ip_headers: dict, times: int, username: str = "tiepdon") -> int:
    client = Client(REMOTE_ADDR="127.0.0.1", **ip_headers)
    status = 0
    for _ in range(times):
        status = client.post(
            "/login/", {"username": username, "password": "sai-mat-khau"}
        ).status_code
    return status


def _can_log_in(ip_headers: dict, username: str = "tiepdon") -> bool:
    client = Client(REMOTE_ADDR="127.0.0.1", **ip_headers)
    resp = client.post("/login/", {"username": username, "password": "demo"})
    return resp.status_code == 302


def test_behind_the_proxy_an_attacker_locks_only_their_own_address(org, settings):
    settings.KCB06_TRUSTED_PROXIES = ["127.0.0.1"]
    assert _fail_logins(org, _nginx_headers("198.51.100.7"), 5) == 429
    assert not _can_log_in(_nginx_headers("198.51.100.7"))  # locked out
    assert _can_log_in(_nginx_headers("203.0.113.20"))  # the receptionist at the desk


def test_the_lock_out_cannot_be_dodged_with_a_forged_forwarded_header(org, settings):
    """An X-Forwarded-For a client writes itself counts for nothing: nginx appends the real
    address last (or overwrites), and without a trusted proxy the header is ignored."""
    settings.KCB06_TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(5):
        appended = {"HTTP_X_FORWARDED_FOR": f"10.9.9.{n}, 198.51.100.7"}
        _fail_logins(org, appended, 1)
    assert not _can_log_in({"HTTP_X_FORWARDED_FOR": "10.9.9.99, 198.51.100.7"})


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(org, settings):
    settings.KCB06_TRUSTED_PROXIES = []
    client = Client(REMOTE_ADDR="192.0.2.5")
    for n in range(5):
        client.post(
            "/login/",
            {"username": "tiepdon", "password": "x"},
            HTTP_X_REAL_IP=f"10.0.0.{n}",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    resp = Client(REMOTE_ADDR="192.0.2.5").post(
        "/login/", {"username": "tiepdon", "password": "demo"}, HTTP_X_REAL_IP="10.0.0.77"
    )
    assert resp.status_code == 429


def test_the_documented_nginx_block_sets_the_headers_kcb06_reads():
    """The doc's block and kcb06's reading of it agree (a real nginx: test_nginx_proxy.py)."""
    doc = nginx_block()
    assert "proxy_set_header X-Real-IP $remote_addr;" in doc
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in doc
    assert "$proxy_add_x_forwarded_for" not in doc
    assert "KCB06_TRUSTED_PROXIES=127.0.0.1" in (ROOT / "docs" / "install.md").read_text()


# --- the admin in Vietnamese --------------------------------------------------------------------


def test_admin_pages_name_everything_in_vietnamese(admin_client, org):
    """The login lock-out tables came from a third-party app with English names."""
    index = visible(admin_client.get("/admin/").content.decode())
    assert "Khóa đăng nhập" in index
    assert "Lần đăng nhập sai" in index or "lần đăng nhập sai" in index.lower()
    for english in ("Access attempts", "Access logs", "Task Results", "Tasks Database", "Axes"):
        assert english not in index
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="tiepdon",
        ip_address="198.51.100.7",
        user_agent="test",
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    attempts = visible(admin_client.get("/admin/axes/accessattempt/").content.decode())
    assert "Địa chỉ IP" in attempts and "IP Address" not in attempts


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)
