"""What the API promises across its endpoints: every POST takes an ``Idempotency-Key``, a token's writes
are audited under the token's name, the browser's session writes with its CSRF token, and the
documentation is one link away from every page and from the user's own page."""

from __future__ import annotations

from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from portal.models import Backend, Operation, SyncRun
from stations.models import Station
from sync.engine import refresh_run
from tests.api.conftest import TokenClient


def _api_views() -> list[tuple[str, type]]:
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api")
    return [(p.name, p.callback.view_class) for p in resolver.url_patterns
            if isinstance(p, URLPattern) and hasattr(p.callback, "view_class")]


def test_every_post_takes_an_idempotency_key_and_the_schema_says_so(admin_user) -> None:
    posts = [(name, view) for name, view in _api_views() if hasattr(view, "post")]
    assert len(posts) >= 10
    assert [name for name, view in posts if not getattr(view.post, "idempotent", False)] == []
    schema = Client()
    schema.force_login(admin_user)
    paths = schema.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    undocumented = [path for path, methods in paths.items() if "post" in methods
                    and "Idempotency-Key" not in {p["name"] for p in methods["post"].get("parameters", [])}]
    assert undocumented == []
    assert sum("post" in methods for methods in paths.values()) == len(posts)


def test_a_tokens_write_is_audited_under_the_tokens_name(gf_backend: Backend, operator, admin_user,
                                                        make_token) -> None:
    assert refresh_run(gf_backend, "stations", full=True).status == SyncRun.Status.DONE
    station = Station.objects.filter(backend=gf_backend).exclude(etag="").order_by("pk").first()
    script = TokenClient(make_token(operator, name="ERP sync"))
    url = f"/api/v1/stations/{station.pk}/"
    answer = script.send("PATCH", url, {"label": "Named by the ERP"}, if_match=script.get(url)["ETag"])
    assert answer.status_code == 202, answer.content
    admin = Client()
    admin.force_login(admin_user)
    trail = admin.get(reverse("audit:list")).content.decode()
    assert "operator (API token “ERP sync”)" in trail


def test_the_browser_session_writes_with_its_csrf_token(gf_backend: Backend, operator) -> None:
    assert refresh_run(gf_backend, "stations", full=True).status == SyncRun.Status.DONE
    station = Station.objects.filter(backend=gf_backend).exclude(upstream_id="").order_by("pk").first()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(operator)
    browser.get(reverse("stations:list"))  # a page sets the CSRF cookie, as in the browser
    url = f"/api/v1/stations/{station.pk}/refresh/"
    assert browser.post(url, content_type="application/json").status_code == 403
    answer = browser.post(url, content_type="application/json", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert answer.status_code == 202, answer.content
    assert Operation.objects.get(pk=answer.json()["id"]).created_by == operator


def test_the_api_documentation_is_linked_from_the_footer_and_the_users_page(operator_client: Client) -> None:
    for page in (reverse("dashboard"), reverse("account"), reverse("api_tokens")):
        html = operator_client.get(page).content.decode()
        assert f'href="{reverse("api:swagger")}"' in html and f'href="{reverse("api:redoc")}"' in html, page
    docs = operator_client.get(reverse("api:swagger"))
    assert docs.status_code == 200 and "/static/drf_spectacular_sidecar/" in docs.content.decode()  # no CDN
    redoc = operator_client.get(reverse("api:redoc"))
    assert redoc.status_code == 200 and "/static/drf_spectacular_sidecar/" in redoc.content.decode()
