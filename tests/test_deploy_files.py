"""The shipped deployment files agree with the settings and README they stand for."""

import re
import subprocess
from pathlib import Path

from django.conf import settings

from tests.prod.check import read_env_file

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / "deploy" / "clinic.env.example"
NGINX_SITE = (ROOT / "deploy" / "nginx" / "clinic.conf").read_text()


def readme_settings() -> set[str]:
    """Every variable named in the first column of README's settings tables."""
    names = set()
    for row in re.findall(r"^\| (.+?) \|", (ROOT / "README.md").read_text(), re.M):
        names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", row))
    return names


def test_the_environment_file_names_every_setting_readme_lists():
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    assert readme_settings() - listed == set()
    assert "SECURE_HSTS_PRELOAD" in readme_settings()


def test_the_shell_and_systemd_read_the_environment_file_alike():
    # systemd reads it for the units; deploy/clinic-manage sources it with sh.
    shell = subprocess.run(
        ["sh", "-c", 'set -a; . "$0"; set +a; env -0', str(ENV_EXAMPLE)],
        capture_output=True,
        text=True,
        env={},
        check=True,
    )
    from_shell = dict(item.split("=", 1) for item in shell.stdout.split("\0") if "=" in item)
    for key, value in read_env_file(ENV_EXAMPLE).items():
        assert from_shell.get(key) == value, key


def test_nginx_refuses_bodies_at_the_same_size_as_the_site():
    size = re.search(r"client_max_body_size (\d+)m;", NGINX_SITE).group(1)
    assert int(size) * 1024 * 1024 == settings.MAX_REQUEST_BODY_BYTES
    assert f"the limit is {size} MB" in NGINX_SITE
