"""Every listed page, as every role sees it in both languages, is valid HTML to the Nu HTML checker.

The pages are rendered by Django's test client (fast), written to one folder, and checked by one run of
`vnu.jar` (the Java start-up costs seconds; one run pays it once).
"""

import json
import re
import subprocess

import pytest
from django.contrib.auth.models import User

from tests.a11y.pages import LANGUAGES, viewings
from tests.services import VNU_JAR, java_path

pytestmark = [pytest.mark.slow, pytest.mark.vnu]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "home"


def test_every_page_is_valid_html_for_every_role_in_both_languages(client, settings, demo_district, tmp_path, report):
    wrong_status, files = [], {}
    for language in LANGUAGES:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for viewing in viewings():
            client.logout()
            user = None
            if viewing.username:
                user = User.objects.get(username=viewing.username)
                client.force_login(user)
            url = viewing.page.url(user)
            response = client.get(url)
            if response.status_code != viewing.page.status or "text/html" not in response["Content-Type"]:
                wrong_status.append((viewing.label, response.status_code, response["Content-Type"]))
                continue
            name = f"{language}-{viewing.role}-{viewing.username or 'anonymous'}-{_slug(url)}.html"
            (tmp_path / name).write_bytes(response.content)
            files[name] = f"{language} {viewing.label} ({url})"
    assert wrong_status == []

    run = subprocess.run(
        [java_path(), "-Xss8m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--exit-zero-always",
         *sorted(str(tmp_path / name) for name in files)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = []
    for message in messages:
        name = message.get("url", "").rsplit("/", 1)[-1]
        if message.get("type") == "info":
            continue
        errors.append(
            f"{files.get(name, name)} line {message.get('lastLine')}: {message.get('message')}"
            f"\n    {message.get('extract', '').strip()}"
        )
    checked = len(files)
    report.append(f"Nu HTML checker: {checked} pages (role × page × language) in one run; errors: {len(errors)}")
    assert errors == [], f"{len(errors)} HTML errors in {checked} pages:\n" + "\n".join(errors)
