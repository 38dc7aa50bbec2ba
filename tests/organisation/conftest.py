import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads kept between preview and confirmation land here, not under var/.
    settings.MEDIA_ROOT = tmp_path / "media"
