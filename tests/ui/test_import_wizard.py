"""The import wizard driven page by page (open()/show(), never exec()): detection and a
changed kind, contracts per project, the preview as the dry run, the apply on a worker
thread with progress, a bad file stopped with its row and field and nothing written,
the remembered column assignment, and a second import that adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from freelancer_desk.ui.import_wizard import (
    PAGE_COLUMNS,
    PAGE_CONTRACTS,
    PAGE_FILE,
    PAGE_PREVIEW,
    PAGE_RESULT,
    ImportWizard,
    open_import_wizard,
    screenshot_extras,
)
from tests.importers.conftest import FIXTURES, counts, open_app
from tests.importers.conftest import contracts as contracts
from tests.ui.desk import home as home


@pytest.fixture
def app(tmp_path: Path, home: Path):
    a = open_app(tmp_path / "ws")
    yield a
    a.close()


@pytest.fixture
def wizard(qtbot, app) -> ImportWizard:
    w = ImportWizard(app)
    qtbot.addWidget(w)
    w.show()
    return w


def finish(qtbot, wizard: ImportWizard) -> list[int]:
    """Press Import and wait for the worker thread's result."""
    progress: list[int] = []
    wizard.result_page.progress.valueChanged.connect(lambda v: progress.append(v))
    with qtbot.waitSignals([wizard.applied], timeout=30_000, raising=True):
        wizard.next()
    assert wizard.currentId() == PAGE_RESULT
    qtbot.waitUntil(lambda: wizard.result_page.isComplete(), timeout=20_000)
    wizard.wait()
    assert progress  # the worker reported through the signal
    return progress


def test_toggl_detected_mapped_previewed_and_imported(qtbot, wizard, app, contracts):
    before = counts(app)
    wizard.file_page.set_file(FIXTURES / "toggl.csv")
    assert wizard.file_page.kind.currentData() == "toggl"
    assert "Toggl" in wizard.file_page.detected.text()
    wizard.file_page.tz.setCurrentText("America/New_York")
    wizard.next()
    assert wizard.currentId() == PAGE_CONTRACTS
    page = wizard.contracts_page
    # Both projects matched a contract by title: chosen already.
    assert set(page.mapping().values()) == set(contracts.values())
    assert page.isComplete()
    wizard.next()
    assert wizard.currentId() == PAGE_PREVIEW
    assert wizard.preview is not None and wizard.preview.new_rows == 4
    assert "4 new" in wizard.preview_page.counts.text()
    assert wizard.preview_page.isComplete()
    assert counts(app) == before  # the preview is the dry run: nothing written
    finish(qtbot, wizard)
    assert wizard.outcome is not None and wizard.outcome.sessions == 4
    assert "Added: 4 sessions" in wizard.result_page.status.text()
    assert wizard.result_page.progress.value() == wizard.result_page.progress.maximum()
    after = counts(app)
    assert after["time_sessions"] == before["time_sessions"] + 4


def test_an_unmapped_project_must_be_chosen(qtbot, wizard, app, contracts, tmp_path):
    text = (FIXTURES / "toggl.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "t.csv"
    odd = text.replace("Globex LLC,Logo redesign", "Initech,Printer fix")
    path.write_text(odd, encoding="utf-8")
    wizard.file_page.set_file(path)
    wizard.file_page.tz.setCurrentText("America/New_York")  # a row crosses the DST night
    wizard.next()
    page = wizard.contracts_page
    assert wizard.currentId() == PAGE_CONTRACTS and not page.isComplete()
    combo = page.combos["Initech / Printer fix"]
    assert combo.currentIndex() == 0
    combo.setCurrentIndex(combo.findData(contracts["27182818"]))
    assert page.isComplete()
    wizard.next()
    assert wizard.currentId() == PAGE_PREVIEW and wizard.preview_page.isComplete()


def test_an_archived_clients_contracts_are_not_offered(qtbot, wizard, app, contracts, tmp_path):
    """Time is mapped to contracts of clients not archived; a contract the file's own rows
    match stays, marked as an archived client's, so a re-import lands where it did."""
    from datetime import UTC, datetime

    from freelancer_desk.services.clients import ClientInput
    from freelancer_desk.services.contracts import ContractInput

    shelved = app.clients.create(ClientInput(name="Zephyr Labs", platform="upwork"))
    old = app.contracts.create(
        ContractInput(
            client_id=shelved["id"],
            title="Old retainer",
            kind="hourly",
            hourly_rate_minor=4000,
            started_at=datetime(2024, 1, 1, tzinfo=UTC),
        )
    )
    app.clients.set_archived(shelved["id"], True)
    globex = app.contracts.get(contracts["27182818"])["client_id"]
    app.clients.set_archived(globex, True)  # the file's "Logo redesign" matches its contract

    text = (FIXTURES / "toggl.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "t.csv"
    path.write_text(text.replace("Acme Corp,Data pipeline", "Initech,Printer fix"), "utf-8")
    wizard.file_page.set_file(path)
    wizard.file_page.tz.setCurrentText("America/New_York")
    wizard.next()
    page = wizard.contracts_page
    assert wizard.currentId() == PAGE_CONTRACTS
    unmapped = page.combos["Initech / Printer fix"]
    offered = [unmapped.itemData(i) for i in range(unmapped.count())]
    assert old["id"] not in offered  # an archived client's contract: not offered
    assert contracts["31415926"] in offered  # Acme's: its client is not archived
    matched = page.combos["Globex LLC / Logo redesign"]
    assert matched.currentData() == contracts["27182818"]  # the file's own match stays
    assert matched.currentText().endswith("— archived client")
    assert wizard.archived_left_out == 1


def test_a_bad_file_names_row_and_field_and_writes_nothing(qtbot, wizard, app, tmp_path):
    bad = (
        (FIXTURES / "upwork_old.csv")
        .read_text()
        .replace('"$120.00","$120.00"', '"$12O.00","$120.00"')
    )
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    before = counts(app)
    wizard.file_page.set_file(path)
    assert wizard.file_page.kind.currentData() == "upwork"
    wizard.next()
    page = wizard.preview_page
    assert wizard.currentId() == PAGE_PREVIEW
    assert not page.isComplete()  # Import stays disabled
    assert page.verdict.isVisibleTo(wizard)
    assert page.verdict.text().startswith(
        "This file cannot be imported: row 6, Amount: '$12O.00' is not an amount"
    )
    assert "Nothing will be written" in page.verdict.text()
    first = [page.issues.item(0, c).text() for c in range(4)]
    assert first == ["6", "Amount", "error", "'$12O.00' is not an amount"]
    wizard.next()
    assert wizard.currentId() == PAGE_PREVIEW
    assert counts(app) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "file: the file is empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary")],
)
def test_empty_and_binary_files_stop_on_the_first_page(wizard, tmp_path, data, message):
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    wizard.file_page.set_file(path)
    assert message in wizard.file_page.error.text()
    assert not wizard.file_page.isComplete()
    wizard.next()
    assert wizard.currentId() == PAGE_FILE


def test_the_kind_can_be_changed_and_a_wrong_one_is_refused(wizard, tmp_path):
    wizard.file_page.set_file(FIXTURES / "harvest.csv")
    assert wizard.file_page.kind.currentData() == "harvest"
    wizard.file_page.kind.setCurrentIndex(wizard.file_page.kind.findData("toggl"))
    wizard.next()
    # The preview opens on the contracts page only for a readable file: here the
    # required Toggl columns are missing, so the problem is shown on the preview.
    if wizard.currentId() == PAGE_CONTRACTS:
        wizard.next()
    assert wizard.currentId() == PAGE_PREVIEW
    assert wizard.file_page.kind.currentData() == "toggl"  # leaving the field kept it
    assert "is missing" in wizard.preview_page.verdict.text()
    assert not wizard.preview_page.isComplete()


def test_upwork_apply_reports_added_and_already_there(qtbot, app, wizard):
    wizard.file_page.set_file(FIXTURES / "upwork_current.csv")
    wizard.next()
    assert wizard.currentId() == PAGE_PREVIEW
    assert "Acme Corp" in wizard.preview_page.creates.text()
    finish(qtbot, wizard)
    result = wizard.outcome
    assert result is not None and result.transactions == 12 and result.clients == 2
    assert "Already there (skipped): 0" in wizard.result_page.status.text()
    wizard.done(QWizard.DialogCode.Accepted)

    again = ImportWizard(app)
    qtbot.addWidget(again)
    again.show()
    before = counts(app)
    again.file_page.set_file(FIXTURES / "upwork_current.csv")
    again.next()
    assert again.preview is not None and again.preview.already_imported
    assert "0 new" in again.preview_page.counts.text()
    finish(qtbot, again)
    assert "Added: nothing new" in again.result_page.status.text()
    assert "Already there (skipped): 12" in again.result_page.status.text()
    assert counts(app) == before


def test_fiverr_columns_are_assigned_once_and_remembered(qtbot, app, wizard):
    wizard.file_page.set_file(FIXTURES / "fiverr.csv")
    kind = wizard.file_page.kind
    kind.setCurrentIndex(kind.findData("fiverr"))
    wizard.next()
    assert wizard.currentId() == PAGE_COLUMNS
    page = wizard.columns_page
    page.combos["date"].setCurrentIndex(0)
    assert not page.isComplete()  # date is required
    page.combos["date"].setCurrentIndex(page.combos["date"].findData("Date"))
    page.combos["type"].setCurrentIndex(page.combos["type"].findData("Activity"))
    page.combos["client"].setCurrentIndex(page.combos["client"].findData("Buyer"))
    assert page.isComplete()
    wizard.next()
    assert wizard.currentId() == PAGE_PREVIEW and wizard.preview_page.isComplete()
    finish(qtbot, wizard)
    assert wizard.outcome is not None and wizard.outcome.transactions == 3

    again = ImportWizard(app)
    qtbot.addWidget(again)
    again.show()
    again.file_page.set_file(FIXTURES / "fiverr.csv")
    again.file_page.kind.setCurrentIndex(again.file_page.kind.findData("fiverr"))
    again.next()
    remembered = again.columns_page.columns()
    assert remembered["client"] == "Buyer" and remembered["type"] == "Activity"


def test_open_import_wizard_does_not_block(qtbot, app):
    w = open_import_wizard(None, app)  # deletes itself when closed
    try:
        assert w.isVisible() and w.isModal() and w.currentId() == PAGE_FILE
    finally:
        with qtbot.waitSignal(w.destroyed, timeout=20_000):
            w.reject()


def test_screenshot_extras_render_the_pages(qtbot, app, tmp_path, contracts):
    from PySide6.QtWidgets import QWidget

    from freelancer_desk.app import AppBackend

    window = QWidget()
    qtbot.addWidget(window)
    window._backend = AppBackend(app)  # type: ignore[attr-defined]
    before = counts(app)
    paths = screenshot_extras(window, tmp_path / "shots")
    assert [p.name for p in paths] == [
        "import-1-file.png",
        "import-2-contracts.png",
        "import-3-preview.png",
    ]
    assert all(p.stat().st_size > 1000 for p in paths)
    assert counts(app) == before


def test_a_long_file_reports_progress_from_the_worker_thread(qtbot, app, wizard, tmp_path):
    import threading

    from freelancer_desk.importers import registry
    from tests.importers.test_speed import generate

    path = tmp_path / "long.csv"
    path.write_bytes(generate(2_000))
    threads: list[str] = []
    real_apply = registry.apply

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real_apply(*args, **kwargs)

    import freelancer_desk.ui.import_wizard as module

    module_apply = module.apply
    module.apply = spy
    try:
        wizard.file_page.set_file(path)
        wizard.next()
        assert wizard.preview is not None and wizard.preview.new_rows == 2_000
        values = finish(qtbot, wizard)
    finally:
        module.apply = module_apply
    assert threads and threads[0] != threading.main_thread().name
    assert {500, 1_000, 1_500, 2_000} <= set(values)  # every 500 rows, then the end
    assert wizard.outcome is not None and wizard.outcome.transactions == 2_000


@pytest.mark.parametrize("how", ["cancel button", "escape"])
def test_cancel_stops_a_running_import_and_nothing_is_imported(qtbot, app, wizard, tmp_path, how):
    """Cancel pressed (or Esc) after the worker reported its first 500 rows (the worker
    waits at that report until the click, so the import is surely running): it rolls
    back, the page says nothing was imported, and every table has the rows it had."""
    import threading

    import freelancer_desk.ui.import_wizard as module
    from tests.importers.test_speed import generate

    path = tmp_path / "long.csv"
    path.write_bytes(generate(2_000))
    clicked = threading.Event()
    real_apply = module.apply

    def held_apply(*args, **kwargs):
        report = kwargs["progress"]

        def progress(done: int, total: int) -> None:
            report(done, total)
            if done == 500:
                assert clicked.wait(30)

        return real_apply(*args, **{**kwargs, "progress": progress})

    before = counts(app)
    wizard.file_page.set_file(path)
    wizard.next()
    assert wizard.preview is not None and wizard.preview.new_rows == 2_000
    module.apply = held_apply
    try:
        wizard.next()
        assert wizard.currentId() == PAGE_RESULT and wizard.running
        page = wizard.result_page
        assert page.cancel.isVisible() and page.cancel.isEnabled()
        qtbot.waitUntil(lambda: page.progress.value() == 500, timeout=30_000)
        if how == "escape":
            qtbot.keyClick(wizard, Qt.Key.Key_Escape)
            assert wizard.isVisible()  # it stays until the import has rolled back
        else:
            page.cancel.click()
        assert not page.cancel.isEnabled() and "Stopping" in page.status.text()
        clicked.set()
        qtbot.waitUntil(lambda: not wizard.running, timeout=30_000)
    finally:
        clicked.set()
        module.apply = real_apply
        wizard.wait()
    assert wizard.cancelled and wizard.outcome is None and wizard.failure is None
    assert page.status.text() == "Cancelled: nothing was imported."
    assert page.title() == "Not imported" and page.isComplete() and not page.cancel.isVisible()
    assert counts(app) == before


def test_a_file_saved_by_excel_with_sep_line_offers_its_real_columns(app, wizard, tmp_path):
    # Excel's first line "sep=;" names the delimiter; the header is the line below it.
    text = (FIXTURES / "fiverr.csv").read_text(encoding="utf-8-sig")  # ";" between fields
    path = tmp_path / "fiverr-excel.csv"
    path.write_text("sep=;\n" + text, encoding="utf-8")
    wizard.file_page.set_file(path)
    kind = wizard.file_page.kind
    kind.setCurrentIndex(kind.findData("fiverr"))
    wizard.next()
    assert wizard.currentId() == PAGE_COLUMNS
    offered = {
        wizard.columns_page.combos["date"].itemData(i)
        for i in range(wizard.columns_page.combos["date"].count())
    }
    assert "Date" in offered and "Buyer" in offered
    assert not any(str(name).lower().startswith("sep=") for name in offered)
