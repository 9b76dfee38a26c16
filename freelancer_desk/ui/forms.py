"""Editors: a form dialog whose errors appear next to the field they name.

Services refuse bad input with a `RuleError` whose `field` names the input at fault;
`FormDialog.run_service()` calls the service and, on refusal, shows the message under
that field (or at the top when the field is not on the form) and keeps the dialog open
with everything the user typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import MoneyError
from freelancer_desk.services.errors import NotFound

T = TypeVar("T")

# Failures a user can act on: shown as their message, never as a traceback.
USER_ERRORS = (RuleError, MoneyError, NotFound, ValueError)


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    palette = label.palette()
    # The theme's own "negative" colour where it has one; red otherwise.
    palette.setColor(QPalette.ColorRole.WindowText, Qt.GlobalColor.red)
    label.setPalette(palette)
    label.hide()
    return label


class FormDialog(QDialog):
    """A dialog of labelled fields. `add_field(name, label, widget)` registers the field
    under the name services use in `RuleError.field`."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setModal(True)
        self._fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self.general_error = error_label()
        self.general_error.setAccessibleName("Form error")

        body = QWidget()
        self.form = QFormLayout(body)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.general_error)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.resize(560, 480)

    def add_field(self, name: str, label: str, widget: QWidget, help_text: str = "") -> QWidget:
        container = QWidget()
        box = QVBoxLayout(container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        if help_text:
            hint = QLabel(help_text)
            hint.setWordWrap(True)
            hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            box.addWidget(hint)
        error = error_label()
        error.setAccessibleName(f"{label.replace('&', '')} error")
        box.addWidget(error)
        self.form.addRow(label, container)
        widget.setAccessibleName(label.replace("&", ""))
        self._fields[name] = widget
        self._errors[name] = error
        return widget

    def field(self, name: str) -> QWidget:
        return self._fields[name]

    def clear_errors(self) -> None:
        self.general_error.hide()
        for label in self._errors.values():
            label.hide()

    def show_error(self, field: str | None, message: str) -> None:
        """The message under `field` (focused), or at the top of the form."""
        self.clear_errors()
        label = self._errors.get(field or "")
        if label is None:
            self.general_error.setText(message)
            self.general_error.show()
            return
        label.setText(message)
        label.show()
        self._fields[field or ""].setFocus(Qt.FocusReason.OtherFocusReason)

    def error_text(self, field: str | None = None) -> str:
        """What the form shows for `field` (or at the top): for tests and screen readers."""
        label = self._errors.get(field or "") if field else self.general_error
        return label.text() if label is not None and label.isVisible() else ""

    def run_service(self, call: Callable[[], T]) -> T | None:
        """Call a service; on a refusal show it next to its field and return None."""
        try:
            result = call()
        except USER_ERRORS as exc:
            self.show_error(getattr(exc, "field", None), str(exc))
            return None
        self.clear_errors()
        return result


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """A yes/no question whose default is No: for Delete and other steps not undone."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def report(parent: QWidget, call: Callable[[], Any]) -> Any | None:
    """Run an action from a button: a refusal becomes a message box naming the rule."""
    try:
        return call()
    except USER_ERRORS as exc:
        QMessageBox.warning(parent, "Not done", str(exc))
        return None
