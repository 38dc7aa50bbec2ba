"""The README and docs/ link only to files inside the repository, and every one of them exists.

A newcomer reads them in a clone, often on an intranet: a link to a sibling folder of a developer's
machine, or to the internet, is a dead end there.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and ![alt](target), the target up to a space (a title) or the closing parenthesis.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _links(document: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", document.read_text(encoding="utf-8"), flags=re.DOTALL)  # code is no link
    return LINK.findall(text)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_points_to_a_file_inside_the_repository(document):
    for target in _links(document):
        assert "://" not in target and not target.startswith(("/", "mailto:")), f"{document.name}: {target}"
        path = target.split("#", 1)[0]
        if not path:
            continue  # a heading of the same page
        resolved = (document.parent / path).resolve()
        assert resolved.is_relative_to(ROOT), f"{document.name}: {target} leaves the repository"
        assert resolved.exists(), f"{document.name}: {target} does not exist"


def test_the_readme_links_the_campaign_rules_and_the_code_layout():
    links = _links(ROOT / "README.md")
    assert "docs/campaign.md" in links and "docs/architecture.md" in links


def test_the_link_check_finds_a_link_that_leaves_the_repository(tmp_path):
    sample = tmp_path / "sample.md"
    sample.write_text(
        "See [the design notes](../shared/DESIGN.md).\n```\n[code](is-no-link.md)\n```\n", encoding="utf-8"
    )
    assert _links(sample) == ["../shared/DESIGN.md"]
