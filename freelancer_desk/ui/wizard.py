"""The first-run wizard: where to keep the data, the base currency, what screen
snapshots to take (explained in plain words), and a demo workspace or an empty one.

`run_first_start()` shows it and returns the choices (None when cancelled);
`apply_first_start()` stores them in the opened workspace and this machine's settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from freelancer_desk.services.settings import SPECS, machine_value

if TYPE_CHECKING:
    from freelancer_desk.ui.backend import Backend

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "INR", "CHF", "PLN", "BRL", "JPY")
POLICY_TEXT = {
    "off": (
        "&No snapshots",
        "Only time and activity levels are recorded. Choose this for clients who never "
        "ask for proof of work.",
    ),
    "blurred": (
        "&Blurred snapshots (recommended)",
        "Once every 10 minutes a picture of your screen is taken and blurred so much "
        "that no text, face or password can be read — it only shows that you were at "
        "work. The sharp picture is never saved.",
    ),
    "full": (
        "&Full snapshots",
        "Readable pictures, as Upwork's own tracker takes them. Anything on screen at "
        "that moment is kept: e-mails, chats, bank pages. Only for clients who require it.",
    ),
}


@dataclass(frozen=True)
class FirstStartChoices:
    data_dir: Path
    base_currency: str
    snapshot_policy: str
    retention_days: int
    demo: bool


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _text(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class _DataPage(QWizardPage):
    def __init__(self, default_data_dir: Path) -> None:
        super().__init__()
        self.setTitle("Where should your data live?")
        self.setSubTitle(
            "Everything stays on this computer: no account, no cloud. One folder holds "
            "the workspace, the snapshots and the backups."
        )
        self.default_data_dir = default_data_dir
        self.folder = QLineEdit(str(default_data_dir))
        self.folder.setAccessibleName("Data folder")
        self.folder.setClearButtonEnabled(True)
        choose = QPushButton("C&hoose…")
        choose.setAccessibleName("Choose data folder")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        label = QLabel("&Data folder:")
        label.setBuddy(self.folder)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addWidget(
            _muted(
                "Pick a folder your backups cover. You can move it later in Settings ▸ "
                "This computer; a PostgreSQL server can be set there too."
            )
        )
        layout.addStretch(1)
        self.registerField("data_dir*", self.folder)

    def _choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def isComplete(self) -> bool:
        text = self.folder.text().strip()
        return bool(text) and Path(text).expanduser().is_absolute()


class _CurrencyPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Your base currency")
        self.setSubTitle("The currency you think in: totals across clients are shown in it.")
        self.currency = QComboBox()
        self.currency.setEditable(True)
        self.currency.addItems(list(CURRENCIES))
        self.currency.setValidator(QRegularExpressionValidator(r"[A-Za-z]{0,3}", self.currency))
        self.currency.setAccessibleName("Base currency")
        self.currency.setCurrentText(SPECS["money.base_currency"].default)
        self.currency.setMaximumWidth(180)
        form = QFormLayout()
        form.addRow("&Base currency:", self.currency)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            _muted(
                "Each contract, order and invoice keeps its own currency. Amounts in "
                "other currencies are converted only with exchange rates you enter "
                "(Settings ▸ Money) — never with a guessed rate."
            )
        )
        layout.addStretch(1)
        self.registerField("base_currency", self.currency, "currentText")


class _PrivacyPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Screen snapshots, in plain words")
        self.setSubTitle(
            "While the timer runs on an hourly contract, the tracker can take one picture "
            "of your screen in each 10-minute block, as proof of work. What should new "
            "contracts do? (Each contract can differ.)"
        )
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        self.buttons: dict[str, QRadioButton] = {}
        for policy, (title, explanation) in POLICY_TEXT.items():
            button = QRadioButton(title)
            button.setAccessibleName(title.replace("&", ""))
            button.setAccessibleDescription(explanation)
            self.group.addButton(button)
            self.buttons[policy] = button
            layout.addWidget(button)
            hint = _muted(explanation)
            hint.setContentsMargins(24, 0, 0, 8)
            layout.addWidget(hint)
        self.buttons[SPECS["snapshots.default_policy"].default].setChecked(True)
        self.retention = QSpinBox()
        self.retention.setRange(0, 3650)
        self.retention.setSuffix(" days")
        self.retention.setSpecialValueText("Forever")
        self.retention.setValue(SPECS["snapshots.retention_days"].default)
        self.retention.setAccessibleName("Keep snapshots for")
        self.retention.setMaximumWidth(180)
        form = QFormLayout()
        form.addRow("&Keep snapshots for:", self.retention)
        layout.addLayout(form)
        layout.addWidget(
            _muted(
                "Pictures stay in your data folder, readable only by you, and are "
                "deleted after this time. They are never sent anywhere."
            )
        )
        layout.addStretch(1)

    @property
    def policy(self) -> str:
        return next(p for p, b in self.buttons.items() if b.isChecked())


class _StartPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Start with a demo or with an empty workspace?")
        self.setSubTitle("You can always start over with another data folder.")
        self.demo = QRadioButton("&Demo workspace — look around first")
        self.demo.setAccessibleName("Demo workspace")
        self.empty = QRadioButton("&Empty workspace — enter my own clients and work")
        self.empty.setAccessibleName("Empty workspace")
        self.demo.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.demo)
        hint = _muted(
            "Made-up clients, gigs, orders, proposals, contracts, a few weeks of tracked "
            "time and the money that came of it. Nothing in it is real."
        )
        hint.setContentsMargins(24, 0, 0, 8)
        layout.addWidget(hint)
        layout.addWidget(self.empty)
        layout.addStretch(1)
        self.summary = _text("")
        layout.addWidget(self.summary)

    def initializePage(self) -> None:
        wizard = self.wizard()
        if isinstance(wizard, FirstStartWizard):
            c = wizard.choices()
            policy = POLICY_TEXT[c.snapshot_policy][0].replace("&", "")
            self.summary.setText(
                f"<b>Your choices</b><br>Data folder: {c.data_dir}<br>"
                f"Base currency: {c.base_currency}<br>Snapshots: {policy}, kept "
                + (f"{c.retention_days} days" if c.retention_days else "forever")
            )


class FirstStartWizard(QWizard):
    def __init__(self, parent: QWidget | None = None, *, default_data_dir: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Freelancer Desk")
        self.setAccessibleName("Welcome to Freelancer Desk")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        from freelancer_desk.ui.mainwindow import app_icon

        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(48, 48))
        self.data_page = _DataPage(default_data_dir)
        self.currency_page = _CurrencyPage()
        self.privacy_page = _PrivacyPage()
        self.start_page = _StartPage()
        for page in (self.data_page, self.currency_page, self.privacy_page, self.start_page):
            self.addPage(page)
        for which, name in (
            (QWizard.WizardButton.NextButton, "Next"),
            (QWizard.WizardButton.BackButton, "Back"),
            (QWizard.WizardButton.FinishButton, "Finish"),
            (QWizard.WizardButton.CancelButton, "Cancel"),
        ):
            button = self.button(which)
            if button is not None:
                button.setAccessibleName(name)
        self.resize(700, 520)

    def choices(self) -> FirstStartChoices:
        return FirstStartChoices(
            data_dir=Path(self.data_page.folder.text().strip()).expanduser(),
            base_currency=self.currency_page.currency.currentText().strip().upper(),
            snapshot_policy=self.privacy_page.policy,
            retention_days=self.privacy_page.retention.value(),
            demo=self.start_page.demo.isChecked(),
        )

    def show_page(self, page_id: int) -> None:
        """Go to a page the way a user would (for screenshots and tests)."""
        self.restart()
        while self.currentId() != page_id and self.currentId() != -1:
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                break


def run_first_start(
    parent: QWidget | None = None, default_data_dir: Path | None = None
) -> FirstStartChoices | None:
    """Show the wizard (modal); the choices, or None if the user cancelled."""
    wizard = FirstStartWizard(parent, default_data_dir=default_data_dir or default_data_folder())
    wizard.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, False)
    try:
        if wizard.exec() != QWizard.DialogCode.Accepted:
            return None
        return wizard.choices()
    finally:
        wizard.deleteLater()


def default_data_folder() -> Path:
    from platformdirs import user_data_path

    return user_data_path("freelancer-desk")


def needs_first_start(data_dir: str | None, db_url: str | None) -> bool:
    """True when nothing says where the data is: no --data-dir/--db-url, no environment
    variable, no folder chosen on this machine, and no workspace in the usual place."""
    from freelancer_desk.app import DATA_DIR_ENV, DB_URL_ENV, resolve_location

    if data_dir or db_url or os.environ.get(DATA_DIR_ENV) or os.environ.get(DB_URL_ENV):
        return False
    if machine_value("storage.data_dir") or machine_value("storage.db_url"):
        return False
    return not resolve_location(None, None).exists


def apply_first_start(choices: FirstStartChoices, backend: Backend) -> None:
    """Store the choices: the data folder on this machine (so the next start opens it
    without asking), currency and snapshot defaults in the workspace; then the demo."""
    from freelancer_desk.ui.areapage import app_of
    from freelancer_desk.ui.settings_dialog import settings_service

    app = app_of(backend)
    if app is not None:
        settings_service(app).set_many(
            {
                "storage.data_dir": str(choices.data_dir),
                "money.base_currency": choices.base_currency,
                "snapshots.default_policy": choices.snapshot_policy,
                "snapshots.retention_days": choices.retention_days,
            }
        )
    if choices.demo and backend.is_empty():
        backend.create_demo()
