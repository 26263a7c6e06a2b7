"""The mapping step in a real browser: an export with unknown headers and an unknown stage word is
mapped on the Data page, imported, and a second export with the same headers is mapped by itself."""

from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401, F811  (pytest fixtures used by name)
    APP_IDLE,
    PAGE_TIMEOUT_MS,
    SIZES,
    _open,
    _shoot,
    browser,
    server,
)

pytestmark = pytest.mark.browser

HEADER = "Opp Ref,Stage Name,Close Date,Amount\n"


def _settle(page) -> None:
    """Wait for the rerun a widget change starts to finish, every element of it drawn."""
    page.wait_for_timeout(400)
    page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function("() => !document.querySelector('[data-stale=true]')",
                           timeout=PAGE_TIMEOUT_MS)


def _choose(page, label: str, option: str) -> None:
    """Pick an option of a selectbox the way a keyboard user does: open it, type, Enter."""
    page.get_by_label(label, exact=True).click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    _settle(page)


def test_a_mapping_is_made_once_and_applied_to_the_next_file_with_the_same_headers(
        server, browser, tmp_path):  # noqa: F811
    first = tmp_path / "crm_export_week1.csv"
    first.write_text(HEADER + "MAP-1,Value Proposition,,\n"
                     "MAP-2,Closed Won,2026-10-20,\"$4,100.00\"\n", encoding="utf-8")
    second = tmp_path / "crm_export_week2.csv"
    second.write_text(HEADER + "MAP-3,Value Proposition,,\nMAP-4,Closed Lost,2026-10-22,\n",
                      encoding="utf-8")
    page = _open(browser, f"{server}/data", SIZES[0])
    try:
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(first))
        page.get_by_text("cannot tell which table").wait_for(timeout=PAGE_TIMEOUT_MS)
        _shoot(page, "mapping_1_refused")
        # Say what the rows are, and what the two unknown columns hold.
        _choose(page, "The rows of this file are", "outcomes")
        _choose(page, "LeadBridge column for file column 1", "lead_id")
        _choose(page, "LeadBridge column for file column 2", "status")
        page.get_by_role("button", name="Save mapping").click()
        # Now read as outcomes; the stage word is still unknown, so its row would be rejected.
        page.get_by_text("Would read").wait_for(timeout=PAGE_TIMEOUT_MS)
        assert "1 rejected" in page.locator("[data-testid=stMarkdownContainer]",
                                            has_text="Would read").inner_text()
        page.get_by_text("Value Proposition", exact=True).wait_for(timeout=PAGE_TIMEOUT_MS)
        _choose(page, "Stage words 1", "qualified")
        _shoot(page, "mapping_2_columns_and_word")
        page.get_by_role("button", name="Save mapping").click()
        _settle(page)
        summary = page.locator("[data-testid=stMarkdownContainer]", has_text="Would read")
        summary.get_by_text("0 rejected").wait_for(timeout=PAGE_TIMEOUT_MS)
        assert "Table outcomes" in summary.inner_text()
        _settle(page)  # the preview's rerun over: the Import button clicked is the live one
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_text("crm_export_week1.csv → outcomes").wait_for(timeout=PAGE_TIMEOUT_MS)
        done = page.get_by_text("crm_export_week1.csv → outcomes").inner_text()
        assert "read 2 = 2 new" in done and "0 rejected" in done
        note = page.get_by_text("applied: Opp Ref → lead_id").first.inner_text()
        assert "Stage Name → status" in note and "'value proposition' → qualified" in note
        _shoot(page, "mapping_3_imported")

        # The next week's export, same headers: the mapping applies by itself (the uploader was
        # emptied by the import: the first file is imported and its upload removed).
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(second))
        page.get_by_text("crm_export_week2.csv", exact=True).wait_for(timeout=PAGE_TIMEOUT_MS)
        _settle(page)
        previews = page.locator("[data-testid=stMarkdownContainer]", has_text="Would read")
        previews.first.wait_for(timeout=PAGE_TIMEOUT_MS)
        _settle(page)
        assert previews.count() == 1
        preview = previews.last.inner_text()
        assert "Table outcomes" in preview and "2 rows" in preview and "2 new" in preview
        assert "0 rejected" in preview
        notes = page.locator("[data-testid=stText]", has_text="applied: Opp Ref → lead_id")
        assert notes.count() == 2  # the second file's preview, and the first file's import
        assert "'value proposition' → qualified" in notes.last.inner_text()
        page.get_by_role("button", name="Import", exact=True).click()
        page.get_by_text("crm_export_week2.csv → outcomes").wait_for(timeout=PAGE_TIMEOUT_MS)
        done = page.get_by_text("crm_export_week2.csv → outcomes").inner_text()
        assert "read 2 = 2 new" in done
        _shoot(page, "mapping_4_second_file")
        # The saved mapping is listed, and removable, under the import history.
        page.get_by_role("tab", name="Import history & rejects").click()
        page.get_by_text("Saved mappings (1)").wait_for(timeout=PAGE_TIMEOUT_MS)
        listed = page.get_by_text("headers: Opp Ref, Stage Name, Close Date, Amount").inner_text()
        assert "outcomes" in listed and "'Value Proposition' → qualified" in listed
        _shoot(page, "mapping_5_saved_list")
    finally:
        page.close()
