"""A request refused before its body is read still gets its answer, not a reset (nginx: 502)."""

from tests.live_gunicorn import SwitchableSqlite, fetch, sqlite_template, start_gunicorn  # noqa: F401

# Under the 8 MB limit, and more than the sockets between nginx and gunicorn buffer.
BODY = b"message=" + b"x" * (6 * 1024 * 1024)


def test_a_large_post_without_its_csrf_cookie_still_gets_the_403_page(
    tmp_path,
    sqlite_template,  # noqa: F811
    start_gunicorn,  # noqa: F811
):
    server = start_gunicorn(DATABASE_URL=SwitchableSqlite(sqlite_template, tmp_path).url)
    reply = fetch(
        server.url + "/consultation/",
        "POST",
        BODY,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status == 403
    assert fetch(server.url + "/locations/").status == 200
