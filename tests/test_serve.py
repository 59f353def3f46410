"""`crosswire serve`: pages and their JSON twins, one error shape, paging and filters, search,
security headers, and writing through the API only with the token."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from crosswire.cli import main
from crosswire.ingest.safety import RefusedError, check_url
from crosswire.serve.app import CSP, create_app
from crosswire.serve.settings import Settings
from crosswire.store.store import Store

from conftest import copy_db

TOKEN = "t0ken-for-tests"  # noqa: S105 - a test token


@pytest.fixture(scope="module")
def client(samples_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(samples_db))) as c:
        yield c


def _seed_story(client: TestClient) -> dict[str, Any]:
    stories = client.get("/stories.json").json()["items"]
    return next(s for s in stories if "North Korea" in s["title"])


def test_every_page_has_a_json_twin(client: TestClient) -> None:
    story = _seed_story(client)
    detail = client.get(f"/story/{story['id']}.json").json()
    article = detail["timeline"][0]["id"]
    entity = next(s["entity"] for s in detail["who_said_what"] if s["entity"])
    for path in (
        "/stories",
        f"/story/{story['id']}",
        f"/article/{article}",
        f"/entity/{entity}",
        "/entities",
        "/search?q=troops",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == CSP
        base, _, query = path.partition("?")
        twin = client.get(f"{base}.json" + (f"?{query}" if query else ""))
        assert twin.status_code == 200, path
        assert twin.headers["content-type"] == "application/json"


def test_story_shows_the_seed_disagreement_with_both_sentences(client: TestClient) -> None:
    story = _seed_story(client)
    assert story["disagreements"] == 1
    detail = client.get(f"/story/{story['id']}.json").json()
    (d,) = detail["disagreements"]
    sides = {side["who"]: side for side in d["sides"]}
    assert sides["Ukraine"]["value"] == 11000 and sides["South Korea"]["value"] == 1500
    article = client.get(f"/article/{detail['timeline'][0]['id']}.json").json()["article"]
    for side in sides.values():
        start, end = side["sentence_start"], side["sentence_end"]
        assert article["text"][start:end] == side["sentence"]
        assert side["text"] in side["sentence"]
        # The link lands on the article with that sentence highlighted.
        page = client.get(side["href"].split("#")[0]).text
        assert 'id="hl"' in page
    html = client.get(f"/story/{story['id']}").text
    assert "11,000" in html and "1,500" in html and 'class="disagreement"' in html
    assert "<svg" in html and "/map/land.svg" in html  # timeline chart and map, drawn locally


def test_errors_have_one_shape(client: TestClient) -> None:
    for path, status in (
        ("/story/s999.json", 404),
        ("/article/0000.json", 404),
        ("/entity/nobody.json", 404),
        ("/nothing-here.json", 404),
        ("/stories.json?since=yesterday", 400),
        ("/stories.json?per_page=0", 422),
        ("/article/x.json?hl=9-2", 404),
        ("/api/ingest", 405),
    ):
        response = client.get(path)
        assert response.status_code == status, path
        body = response.json()
        assert set(body) == {"error"}, path
        assert body["error"]["status"] == status
        assert body["error"]["code"] and body["error"]["message"]
    page = client.get("/story/s999")
    assert page.status_code == 404 and "no story" in page.text
    assert page.headers["content-type"].startswith("text/html")


def test_paging_and_filters(client: TestClient) -> None:
    first = client.get("/stories.json?per_page=2").json()
    assert (first["total"], first["pages"], len(first["items"])) == (6, 3, 2)
    second = client.get(first["next"]).json()
    assert second["page"] == 2 and second["prev"]
    seen = {s["id"] for s in first["items"]} | {s["id"] for s in second["items"]}
    assert len(seen) == 4

    story = _seed_story(client)
    site = story["sources"][0]
    only = client.get("/stories.json", params={"source": site}).json()
    assert [s["id"] for s in only["items"]] == [story["id"]]
    dated = client.get("/stories.json", params={"since": "2024-10-01"}).json()
    assert story["id"] in {s["id"] for s in dated["items"]} and dated["total"] < 6
    zelensky = client.get("/search.json?q=zelenskyy").json()
    assert zelensky["total_articles"] == 1
    entity = next(
        s["entity"]
        for s in client.get(f"/story/{story['id']}.json").json()["who_said_what"]
        if s["speaker"] == "Jenny Mathers"
    )
    naming = client.get("/stories.json", params={"entity": entity}).json()
    assert [s["id"] for s in naming["items"]] == [story["id"]]


def test_search_finds_articles_and_quotes_and_takes_any_input(client: TestClient) -> None:
    found = client.get("/search.json", params={"q": "North Korean soldiers"}).json()
    assert any("North Korea" in (h["title"] or "") for h in found["articles"])
    by_speaker = client.get("/search.json", params={"q": "Mathers"}).json()
    assert by_speaker["total_quotes"] >= 7
    assert all(h["speaker"] == "Jenny Mathers" for h in by_speaker["quotes"])
    for hostile in ('"troops" OR NEAR(', "AND", "*", "troops)", "' OR 1=1 --"):
        response = client.get("/search.json", params={"q": hostile})
        assert response.status_code == 200, hostile
    html = client.get("/search", params={"q": "troops"}).text
    assert "<mark>" in html


def test_page_text_is_escaped(tmp_path: Path) -> None:
    page = tmp_path / "pages" / "hostile.html"
    page.parent.mkdir()
    payload = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
    page.write_text(
        "<html><head><title>Storm &lt;script&gt;alert(1)&lt;/script&gt; hits coast</title>"
        '<meta property="og:description" content="&lt;img src=x onerror=alert(1)&gt;">'
        "</head><body><article><h1>Storm &lt;script&gt;alert(1)&lt;/script&gt; hits coast</h1>"
        "<p>A storm hit the coast of Norway on Monday, killing 3 people, officials said. "
        "&lt;script&gt;window.__xss=1&lt;/script&gt; was written on a wall.</p>"
        '<p>"We are &lt;img src=x onerror=window.__xss=1&gt; ready," said Jonas Gahr Store, '
        "the prime minister.</p></article></body></html>",
        encoding="utf-8",
    )
    db = str(tmp_path / "x.db")
    assert CliRunner().invoke(main, ["ingest", "-q", "--db", db, str(page.parent)]).exit_code == 0
    with TestClient(create_app(Settings(Path(db)))) as c:
        (story,) = c.get("/stories.json").json()["items"]
        article = c.get(f"/story/{story['id']}.json").json()["timeline"][0]["id"]
        for path in ("/stories", f"/story/{story['id']}", f"/article/{article}", "/search?q=storm"):
            html = c.get(path).text
            assert "<script>window.__xss" not in html and "<img src=x" not in html, path
            assert "<script>alert(1)" not in html, path
        text = c.get(f"/article/{article}").text
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in text
        assert payload not in text


def test_writing_needs_the_token(samples_db: Path, tmp_path: Path) -> None:
    db = copy_db(samples_db, tmp_path)
    with TestClient(create_app(Settings(db))) as read_only:
        response = read_only.post("/api/ingest", json={"url": "https://example.org/"})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    with TestClient(create_app(Settings(db, token=TOKEN))) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            response = c.post("/api/ingest", json={"url": "https://example.org/"}, headers=headers)
            assert response.status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        # Loopback is refused unless the server allows private addresses.
        refused = c.post("/api/ingest", json={"url": "http://127.0.0.1:9/x"}, headers=auth)
        assert refused.status_code == 422 and "refused" in refused.json()["error"]["message"]
        wrong = c.post("/api/ingest", content=b"url=x", headers=auth)
        assert wrong.status_code == 415

        text = (
            "Flood closes Danube bridges in Budapest\n"
            "The Danube flooded central Budapest on Sunday and 2 bridges were closed, the city "
            "said.\n"
        )
        files = {"file": ("flood.txt", text.encode(), "text/plain")}
        made = c.post("/api/ingest", files=files, headers=auth)
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["new"] and body["story"]
        page = c.get(f"/article/{body['id']}.json").json()
        assert page["article"]["text"].startswith("Flood closes Danube")
        assert page["story"] == body["story"]
        again = c.post("/api/ingest", files=files, headers=auth).json()
        assert again["id"] == body["id"] and not again["new"]
        assert c.get("/stories.json").json()["total"] == 7


def test_a_server_with_a_window_leaves_the_older_stories_as_stored(
    samples_db: Path, tmp_path: Path
) -> None:
    db = copy_db(samples_db, tmp_path)
    with Store(db) as store:
        stamps = {s.id: (s.last, s.updated_at) for s in store.connections.stories()}
    with TestClient(create_app(Settings(db, token=TOKEN, window=30))) as c:
        text = "Flood closes Danube bridges in Budapest\nThe Danube flooded Budapest on Sunday.\n"
        files = {"file": ("flood.txt", text.encode(), "text/plain")}
        made = c.post("/api/ingest", files=files, headers={"Authorization": f"Bearer {TOKEN}"})
        assert made.status_code == 201, made.text
        assert made.json()["story"] not in stamps
    with Store(db) as store:
        after = {s.id: (s.last, s.updated_at) for s in store.connections.stories()}
    # The page is undated, so it counts as stored today: every dated sample story is older
    # than 30 days and is left exactly as it was.
    dated = {sid: v for sid, v in stamps.items() if v[0] is not None}
    assert dated and all(after[sid] == v for sid, v in dated.items())
    assert len(after) == len(stamps) + 1


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/story")
            self.end_headers()
            return
        body = (
            b"<html><head><title>Quake shakes Lima</title></head><body><article>"
            b"<h1>Quake shakes Lima</h1><p>A magnitude 6.1 earthquake shook Lima on Friday, "
            b"Peru's geophysics institute said. No damage was reported in the capital.</p>"
            b"</article></body></html>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_fetching_a_url_when_private_addresses_are_allowed(
    samples_db: Path, tmp_path: Path
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/moved"
    try:
        db = copy_db(samples_db, tmp_path)
        settings = Settings(db, token=TOKEN, allow_private=True)
        with TestClient(create_app(settings)) as c:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            made = c.post("/api/ingest", json={"url": url}, headers=auth)
            assert made.status_code == 201, made.text
            assert made.json()["title"] == "Quake shakes Lima"
            article = c.get(f"/article/{made.json()['id']}.json").json()["article"]
            assert article["url"].endswith("/story")  # the redirect was followed
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://10.0.0.8/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "file:///etc/passwd",
        "ftp://example.org/",
    ],
)
def test_private_and_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(RefusedError):
        check_url(url)


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/stories.json", "/story/{story_id}.json", "/search.json", "/api/ingest"):
        assert path in spec["paths"], path
    assert "multipart/form-data" in spec["paths"]["/api/ingest"]["post"]["requestBody"]["content"]
    # No page loads anything from elsewhere: FastAPI's CDN-backed docs pages are off.
    assert client.get("/docs").status_code == 404


def test_serve_binds_to_loopback_by_default() -> None:
    from crosswire.cli.serve import serve_cmd

    host = next(p for p in serve_cmd.params if p.name == "host")
    assert host.default == "127.0.0.1"
