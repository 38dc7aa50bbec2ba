import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads kept between preview and confirmation land here, not under var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def office_client(client, office):
    """The test client, logged in as the campaign office, which imports lists."""
    client.force_login(office)
    return client
