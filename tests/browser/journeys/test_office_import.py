"""The campaign office imports a list, fixing the error the preview finds."""

import pytest
from playwright.sync_api import expect

from enterprises.forms import ImportForm
from enterprises.models import Enterprise
from organisation.models import Pairing
from tests.browser.lists import ROWS, corrected, fill_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_office_imports_a_list_fixing_the_error_the_preview_found(journey, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the previewed list waits there for its confirmation
    page, t = journey.page, journey.t
    journey.log_in("frank")
    journey.open_menu(t("Import"))
    with page.expect_download() as download:
        page.get_by_role("link", name=t("Download the template")).click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)

    # The project's sector, 农业, is not one the campaign uses: the preview names row 3 and writes nothing.
    page.get_by_label(journey.label(ImportForm, "file")).set_input_files(fill_in(template, ROWS))
    page.get_by_role("button", name=t("Check the list")).click()
    refused = page.get_by_role("row").filter(has_text="农业")
    expect(refused).to_have_count(1)
    expect(refused.get_by_role("cell").first).to_have_text("3")  # the row number Excel shows
    expect(page.get_by_role("button", name=t("Confirm the import"))).to_have_count(0)
    journey.shot("1-error")
    assert not Enterprise.objects.exists()

    # Corrected in the spreadsheet, uploaded again from the preview's own form, and confirmed.
    page.get_by_label(journey.label(ImportForm, "file")).set_input_files(fill_in(template, corrected(ROWS)))
    page.get_by_role("button", name=t("Check the list")).click()
    journey.sees(t("Every row is valid. Nothing has been written yet."))
    journey.shot("2-preview")
    page.get_by_role("button", name=t("Confirm the import")).click()
    journey.sees(
        t(
            "%(name)s imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.",
            name="我的名单.xlsx",
            new=2,
            updated=0,
            unchanged=0,
        )
    )

    assert Pairing.objects.active().count() == 2
    assert Enterprise.objects.get(name="灞河生态修复项目").sector == "culture"
    assert Pairing.objects.active().get(enterprise__uscc="91610111MA6U000014").cadre.mobile == "13912345678"
