"""The assessment's fixtures: the hand-built year (tests/assessment/year.py)."""

import pytest

from tests.assessment.year import Year, build


@pytest.fixture
def year(cadre, other_cadre, staff, other_staff, leader) -> Year:
    return build(cadre, other_cadre, staff, other_staff, leader)
