"""Reviews both ways (overall and sub-ratings, comment, date) and the reputation summary
per platform, its figures shown with the formula that made them."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.ui.areapage import muted, scaled_font
from freelancer_desk.ui.contract_forms import PLATFORM_CHOICES, combo, qdate
from freelancer_desk.ui.forms import USER_ERRORS, FormDialog, error_label

if TYPE_CHECKING:
    from freelancer_desk.app import App

# Upwork's sub-ratings (Fiverr's buyers rate communication, service and recommendation).
SUB_RATINGS = (
    "skills",
    "quality",
    "availability",
    "deadlines",
    "communication",
    "cooperation",
)


class ReviewDialog(FormDialog):
    """A review of one contract, received from its client or given to them."""

    def __init__(self, app: App, contract: dict[str, Any], parent: QWidget | None = None):
        super().__init__(f"Review: {contract['title']}", parent)
        self.app = app
        self.contract = contract
        self.result_data: dict[str, Any] | None = None
        about = QLabel(f"{contract['title']} · {contract['platform']} · {contract['state']}")
        about.setWordWrap(True)
        self.add_field("contract", "Contract", about)
        self.direction = combo(
            (("received", "Received from the client"), ("given", "Given to the client"))
        )
        self.add_field("direction", "&Direction", self.direction)
        self.rating = QSpinBox()
        self.rating.setRange(1, 5)
        self.rating.setValue(5)
        self.rating.setSuffix(" ★")
        self.add_field("rating", "&Overall", self.rating, "1 (worst) to 5 (best)")
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        self.sub_ratings: dict[str, QComboBox] = {}
        for i, name in enumerate(SUB_RATINGS):
            box = QComboBox()
            box.addItem("—", None)
            for stars in range(5, 0, -1):
                box.addItem(f"{stars} ★", stars)
            box.setAccessibleName(f"{name} rating")
            self.sub_ratings[name] = box
            grid.addWidget(QLabel(name.capitalize()), i // 2, (i % 2) * 2)
            grid.addWidget(box, i // 2, (i % 2) * 2 + 1)
        self.add_field("sub_ratings", "&Sub-ratings", grid_widget, "Leave “—” when not rated")
        self.comment = QPlainTextEdit()
        self.comment.setMinimumHeight(90)
        self.add_field("comment", "&Comment", self.comment)
        today = app.clock.now().date()
        self.date = QDateEdit(qdate(today))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.add_field("reviewed_at", "D&ate", self.date)
        self.resize(560, 520)

    def review_input(self) -> Any:
        from freelancer_desk.services.reviews import ReviewInput

        picked = self.date.date().toPython()
        now = self.app.clock.now()
        if not isinstance(picked, type(now.date())):
            raise RuleError("review.reviewed_at", "choose a date", field="reviewed_at")
        when = now if picked == now.date() else datetime.combine(picked, time(12), UTC)
        return ReviewInput(
            client_id=self.contract["client_id"],
            contract_id=self.contract["id"],
            direction=str(self.direction.currentData()),
            rating=self.rating.value(),
            sub_ratings={
                name: int(box.currentData())
                for name, box in self.sub_ratings.items()
                if box.currentData() is not None
            },
            comment=self.comment.toPlainText(),
            reviewed_at=when,
        )

    def accept(self) -> None:
        result = self.run_service(lambda: self.app.reviews.create(self.review_input()))
        if result is not None:
            self.result_data = result
            super().accept()


class ReputationDialog(QDialog):
    """Average rating, share of jobs ended well, repeat clients — and how each is
    computed, in words."""

    def __init__(self, app: App, platform: str = "upwork", parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.setWindowTitle("Reputation")
        self.setAccessibleName("Reputation")
        self.platform = combo(PLATFORM_CHOICES, platform)
        self.platform.setAccessibleName("Platform")
        self.platform.currentIndexChanged.connect(self.update_figures)
        self.figures: dict[str, QLabel] = {}
        figures = QFormLayout()
        for key, caption in (
            ("average_rating", "Average rating"),
            ("reviews", "Reviews received"),
            ("share_ended_well", "Jobs ended well"),
            ("repeat_share", "Repeat clients"),
        ):
            label = QLabel()
            label.setFont(scaled_font(self, 1.4, bold=True))
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(caption)
            self.figures[key] = label
            figures.addRow(caption, label)
        self.error = error_label()
        self.formula = QPlainTextEdit()
        self.formula.setReadOnly(True)
        self.formula.setAccessibleName("Formula")
        self.formula.setMinimumHeight(130)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        top = QFormLayout()
        top.addRow("&Platform", self.platform)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addLayout(figures)
        layout.addWidget(muted(QLabel("How these are computed")))
        layout.addWidget(self.formula, 1)
        layout.addWidget(buttons)
        self.resize(640, 480)
        self.update_figures()

    def update_figures(self) -> None:
        try:
            data = self.app.reviews.reputation(str(self.platform.currentData()))
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        self.data = data
        avg = data["average_rating"]
        self.figures["average_rating"].setText("—" if avg is None else f"{avg:.2f} ★")
        self.figures["reviews"].setText(str(data["reviews"]))
        share = data["share_ended_well"]
        self.figures["share_ended_well"].setText(
            "—"
            if share is None
            else f"{share:.0%}  ({data['ended_well']} of {data['finished_jobs']} finished)"
        )
        repeat = data["repeat_share"]
        self.figures["repeat_share"].setText(
            "—"
            if repeat is None
            else f"{repeat:.0%}  ({data['repeat_clients']} of {data['clients']} clients)"
        )
        self.formula.setPlainText(data["formula"])
