"""Editors of the Fiverr side: the gig editor (overview, three package columns, extras,
FAQ and requirements, each on a tab), the new-order dialog, and the delivery and
revision-request dialogs (the message sent with a delivery, what the buyer wants
changed).

Both are `FormDialog`s: the service's refusal appears under the field it names. The
gig service names a package's field "basic.price" and an extra's "extras.1.price", so
a price under the minimum shows under that package's price. Accepting runs the
service; the dialog closes only when it succeeded (`saved` then holds the result).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money, MoneyError
from freelancer_desk.domain.platforms import FIVERR
from freelancer_desk.services.gigs import (
    ExtraInput,
    GigInput,
    PackageInput,
    RequirementInput,
)
from freelancer_desk.services.orders import OrderInput
from freelancer_desk.ui.delivery_files import FilePicker
from freelancer_desk.ui.forms import FormDialog

TIERS = ("basic", "standard", "premium")
TITLE_MAX = FIVERR.title_max_chars
DESCRIPTION_MAX = FIVERR.description_max_chars
TAGS_MAX = FIVERR.max_tags
CATEGORIES = (
    "Graphics & Design",
    "Digital Marketing",
    "Writing & Translation",
    "Video & Animation",
    "Music & Audio",
    "Programming & Tech",
    "Data",
    "Business",
    "AI Services",
)
UNLIMITED = -1  # the revisions spin box's special value


def _parse_money(text: str, currency: str, *, field: str, label: str) -> int:
    """Minor units of `text` in `currency`; a bad amount is a refusal naming `field`."""
    try:
        return Money.parse(text, currency, field=label).amount
    except MoneyError as exc:
        raise RuleError("money.parse", str(exc), field=field) from None


def _day_suffix(spin: QSpinBox) -> None:
    """ "1 day", "3 days" as the value changes."""

    def update(value: int) -> None:
        spin.setSuffix(" day" if value == 1 else " days")

    spin.valueChanged.connect(update)
    update(spin.value())


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _money_text(minor: int | None, currency: str) -> str:
    if minor is None:
        return ""
    try:
        return Money(minor, currency).format_plain()
    except MoneyError:
        return str(minor)


def _relabel(form: QFormLayout, field: QWidget, text: str) -> None:
    """Rename the label of the row holding `field` (add_field wraps it in a container)."""
    container = field.parentWidget()
    label = form.labelForField(container) if container is not None else None
    if isinstance(label, QLabel):
        label.setText(text)


class Counter(QWidget):
    """A text field with a live "12 / 80" counter that turns red past its limit."""

    def __init__(
        self,
        edit: QLineEdit | QPlainTextEdit,
        limit: int,
        what: str = "",
        count: Callable[[str], int] | None = None,
    ) -> None:
        super().__init__()
        self.edit = edit
        self._count = count or (lambda text: len(text.strip()))
        self.limit = limit
        self.what = what
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._normal = self.label.palette()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(edit)
        layout.addWidget(self.label)
        self.setFocusProxy(edit)
        edit.textChanged.connect(self.update_count)
        self.update_count()

    def text(self) -> str:
        edit = self.edit
        return edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()

    def count(self) -> int:
        return self._count(self.text())

    def update_count(self) -> None:
        count = self.count()
        suffix = f" {self.what}" if self.what else ""
        self.label.setText(f"{count:,} / {self.limit:,}{suffix}")
        if count > self.limit:
            palette = self.label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, Qt.GlobalColor.red)
            self.label.setPalette(palette)
            self.label.setToolTip(f"{count - self.limit:,} over the limit")
        else:
            self.label.setPalette(self._normal)
            self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.label.setToolTip("")


class PackageColumn(QGroupBox):
    """One of Basic / Standard / Premium; unchecked means the gig does not offer it."""

    def __init__(self, tier: str) -> None:
        super().__init__(f"{tier.title()}")
        self.tier = tier
        self.setCheckable(True)
        self.setChecked(False)
        self.setObjectName(f"package-{tier}")
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Starter")
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("What the buyer gets")
        self.description.setFixedHeight(64)
        self.price = QLineEdit()
        self.price.setPlaceholderText("e.g. 25.00")
        self.delivery_days = QSpinBox()
        self.delivery_days.setRange(1, 90)
        _day_suffix(self.delivery_days)
        self.delivery_days.setValue(3)
        self.revisions = QSpinBox()
        self.revisions.setRange(UNLIMITED, 99)
        self.revisions.setSpecialValueText("Unlimited")
        self.revisions.setValue(1)
        self.features = QPlainTextEdit()
        self.features.setPlaceholderText("One feature per line")
        self.features.setMinimumHeight(88)

    def load(self, data: dict[str, Any] | None, currency: str) -> None:
        self.setChecked(data is not None)
        if data is None:
            return
        self.name.setText(data.get("name") or "")
        self.description.setPlainText(data.get("description") or "")
        self.price.setText(_money_text(data.get("price_minor"), currency))
        self.delivery_days.setValue(int(data.get("delivery_days") or 1))
        revisions = data.get("revisions")
        self.revisions.setValue(UNLIMITED if revisions is None else int(revisions))
        self.features.setPlainText("\n".join(data.get("features") or ()))

    def collect(self, currency: str) -> PackageInput | None:
        if not self.isChecked():
            return None
        revisions = self.revisions.value()
        return PackageInput(
            tier=self.tier,
            name=self.name.text(),
            description=self.description.toPlainText(),
            price_minor=_parse_money(
                self.price.text(),
                currency,
                field=f"{self.tier}.price",
                label=f"{self.tier} package price",
            ),
            delivery_days=self.delivery_days.value(),
            revisions=None if revisions == UNLIMITED else revisions,
            features=tuple(
                line.strip() for line in self.features.toPlainText().splitlines() if line.strip()
            ),
        )


class ExtraRow(QWidget):
    """A paid extra: adds days, or is the extra-fast delivery that saves days per tier."""

    def __init__(self, on_remove: Callable[[ExtraRow], None]) -> None:
        super().__init__()
        self.title = QLineEdit()
        self.title.setPlaceholderText("Title, e.g. Social media kit")
        self.title.setAccessibleName("Extra title")
        self.price = QLineEdit()
        self.price.setPlaceholderText("Price")
        self.price.setAccessibleName("Extra price")
        self.price.setMaximumWidth(110)
        self.kind = QComboBox()
        self.kind.addItem("Adds days", "extra")
        self.kind.addItem("Extra-fast delivery", "fast_delivery")
        self.kind.setAccessibleName("Extra kind")
        self.extra_days = QSpinBox()
        self.extra_days.setRange(0, 60)
        self.extra_days.setPrefix("+")
        _day_suffix(self.extra_days)
        policy = self.extra_days.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.extra_days.setSizePolicy(policy)
        self.extra_days.setAccessibleName("Extra days")
        self.saved: dict[str, QSpinBox] = {}
        saved_row = QHBoxLayout()
        saved_row.setSpacing(6)
        self.saved_label = QLabel("Days saved:")
        saved_row.addWidget(self.saved_label)
        for tier in TIERS:
            spin = QSpinBox()
            spin.setRange(0, 89)
            spin.setPrefix(f"{tier.title()} −")
            spin.setSpecialValueText(f"{tier.title()}: not offered")
            spin.setAccessibleName(f"Days saved on {tier.title()}")
            self.saved[tier] = spin
            saved_row.addWidget(spin)
        saved_row.addStretch(1)
        remove = QPushButton("Remove")
        remove.setAccessibleName("Remove extra")
        remove.clicked.connect(lambda _checked=False: on_remove(self))

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.price, 0, 1)
        grid.addWidget(self.kind, 0, 2)
        grid.addWidget(self.extra_days, 0, 3)
        grid.addWidget(remove, 0, 4)
        grid.addLayout(saved_row, 1, 0, 1, 5)
        grid.setColumnStretch(0, 1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        fast = self.kind.currentData() == "fast_delivery"
        self.extra_days.setVisible(not fast)
        self.saved_label.setVisible(fast)
        for spin in self.saved.values():
            spin.setVisible(fast)

    def load(self, data: dict[str, Any], currency: str) -> None:
        self.title.setText(data.get("title") or "")
        self.price.setText(_money_text(data.get("price_minor"), currency))
        self.kind.setCurrentIndex(max(0, self.kind.findData(data.get("kind") or "extra")))
        self.extra_days.setValue(int(data.get("extra_days") or 0))
        for tier, spin in self.saved.items():
            spin.setValue(int((data.get("days_saved") or {}).get(tier, 0)))

    def collect(self, currency: str, position: int) -> ExtraInput:
        kind = str(self.kind.currentData())
        return ExtraInput(
            title=self.title.text(),
            price_minor=_parse_money(
                self.price.text(),
                currency,
                field=f"extras.{position}.price",
                label=f"extra {position + 1} price",
            ),
            extra_days=self.extra_days.value() if kind == "extra" else 0,
            kind=kind,
            days_saved=(
                {t: s.value() for t, s in self.saved.items() if s.value()}
                if kind == "fast_delivery"
                else {}
            ),
        )


class FaqRow(QWidget):
    def __init__(self, on_remove: Callable[[FaqRow], None]) -> None:
        super().__init__()
        self.question = QLineEdit()
        self.question.setPlaceholderText("Question")
        self.question.setAccessibleName("FAQ question")
        self.answer = QLineEdit()
        self.answer.setPlaceholderText("Answer")
        self.answer.setAccessibleName("FAQ answer")
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda _checked=False: on_remove(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.addWidget(self.question, 1)
        row.addWidget(self.answer, 2)
        row.addWidget(remove)


class RequirementRow(QWidget):
    def __init__(self, on_remove: Callable[[RequirementRow], None]) -> None:
        super().__init__()
        self.question = QLineEdit()
        self.question.setPlaceholderText("What you need from the buyer")
        self.question.setAccessibleName("Requirement question")
        self.kind = QComboBox()
        self.kind.addItem("Free text", "text")
        self.kind.addItem("Multiple choice", "choice")
        self.kind.addItem("File", "file")
        self.choices = QLineEdit()
        self.choices.setPlaceholderText("Choices, separated by commas")
        self.required = QCheckBox("Required")
        self.required.setChecked(True)
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda _checked=False: on_remove(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.addWidget(self.question, 2)
        row.addWidget(self.kind)
        row.addWidget(self.choices, 1)
        row.addWidget(self.required)
        row.addWidget(remove)
        self.kind.currentIndexChanged.connect(
            lambda _i: self.choices.setEnabled(self.kind.currentData() == "choice")
        )
        self.choices.setEnabled(False)

    def collect(self) -> RequirementInput:
        kind = str(self.kind.currentData())
        return RequirementInput(
            question=self.question.text(),
            kind=kind,
            choices=tuple(c.strip() for c in self.choices.text().split(",") if c.strip())
            if kind == "choice"
            else (),
            required=self.required.isChecked(),
        )


class RowList(QWidget):
    """Rows of one kind (extras, FAQ, requirements) with an "Add" button below."""

    def __init__(self, make: Callable[[Callable[[Any], None]], QWidget], add_text: str) -> None:
        super().__init__()
        self._make = make
        self.rows: list[Any] = []
        self._box = QVBoxLayout()
        self._box.setSpacing(0)
        self.add_button = QPushButton(add_text)
        self.add_button.clicked.connect(lambda _checked=False: self.add())
        self.empty = QLabel("None yet.")
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addLayout(self._box)
        button_row = QHBoxLayout()
        button_row.addWidget(self.add_button)
        button_row.addStretch(1)
        layout.addLayout(button_row)

    def add(self) -> Any:
        row = self._make(self.remove)
        self.rows.append(row)
        self._box.addWidget(row)
        self.empty.setVisible(False)
        return row

    def remove(self, row: Any) -> None:
        self.rows.remove(row)
        self._box.removeWidget(row)
        row.deleteLater()
        self.empty.setVisible(not self.rows)


class GigEditor(FormDialog):
    """New or edit gig. `save(GigInput)` is the service call (create or update)."""

    def __init__(
        self,
        save: Callable[[GigInput], dict[str, Any]],
        gig: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Edit gig" if gig else "New gig", parent)
        self.setObjectName("gig-editor")
        self._save = save
        self.saved: dict[str, Any] | None = None
        self._base = gig or {}
        self._aliases: dict[str, str] = {}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.form.addRow(self.tabs)

        # -- overview --------------------------------------------------------------
        overview = self._tab("Overview")
        self.title = QLineEdit("I will ")
        self.title_counter = Counter(self.title, TITLE_MAX, "characters")
        self._add(overview, "title", "&Title", self.title_counter, 'Starts with "I will".')
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.addItems(CATEGORIES)
        self.category.setCurrentText("")
        self._add(overview, "category", "&Category", self.category)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("logo, minimalist, brand")
        self.tags_counter = Counter(self.tags, TAGS_MAX, "tags", lambda t: len(_tags(t)))
        self._add(overview, "tags", "Ta&gs", self.tags_counter, "Separated by commas.")
        self.description = QPlainTextEdit()
        self.description.setMinimumHeight(140)
        self.description_counter = Counter(self.description, DESCRIPTION_MAX, "characters")
        self._add(overview, "description", "&Description", self.description_counter)
        self.currency = QLineEdit("USD")
        self.currency.setMaxLength(3)
        self.currency.setMaximumWidth(80)
        self._add(overview, "currency", "C&urrency", self.currency)
        self.min_price = QLineEdit()
        self.min_price.setPlaceholderText("5.00 (USD)")
        self.min_price.setMaximumWidth(140)
        self._add(
            overview,
            "min_package_price",
            "&Minimum price",
            self.min_price,
            "Fiverr's $5 minimum; in another currency, enter its equivalent.",
        )

        # -- packages --------------------------------------------------------------
        packages_tab = self._tab("Packages")
        columns = QWidget()
        row = QHBoxLayout(columns)
        row.setContentsMargins(0, 0, 0, 0)
        self.packages: dict[str, PackageColumn] = {}
        for tier in TIERS:
            column = PackageColumn(tier)
            self.packages[tier] = column
            row.addWidget(column, 1)
            label = tier.title()
            self._add(column.form, f"{tier}.name", "Name", column.name, label=label)
            self._add(
                column.form, f"{tier}.description", "Description", column.description, label=label
            )
            self._add(column.form, f"{tier}.price", "Price", column.price, label=label)
            self.currency.textChanged.connect(
                lambda text, form=column.form, price=column.price: _relabel(
                    form, price, f"Price ({text.strip().upper() or 'USD'})"
                )
            )
            self._add(
                column.form, f"{tier}.delivery_days", "Delivery", column.delivery_days, label=label
            )
            self._add(column.form, f"{tier}.revisions", "Revisions", column.revisions, label=label)
            self._add(column.form, f"{tier}.features", "Features", column.features, label=label)
        self._add(
            packages_tab,
            "packages",
            "",
            columns,
            "Up to three packages; untick one the gig does not offer.",
        )

        # -- extras ----------------------------------------------------------------
        extras_tab = self._tab("Extras")
        self.extras = RowList(ExtraRow, "Add extra")
        self._add(
            extras_tab,
            "extras",
            "",
            self.extras,
            "Paid add-ons. Extra-fast delivery replaces the package's days: set the days "
            "it saves on each package that offers it.",
        )

        # -- FAQ & requirements ----------------------------------------------------
        more_tab = self._tab("FAQ && requirements")
        self.faqs = RowList(FaqRow, "Add question")
        self._add(more_tab, "faqs", "FAQ", self.faqs)
        self.requirements = RowList(RequirementRow, "Add requirement")
        self._add(
            more_tab,
            "requirements",
            "Requirements",
            self.requirements,
            "What the buyer answers before the delivery clock starts.",
        )
        self._register_alias("choices", "requirements")

        self.resize(980, 700)
        self.currency.textChanged.emit(self.currency.text())
        if gig:
            self.load(gig)
        else:
            self.packages["basic"].setChecked(True)

    # -- building --------------------------------------------------------------------
    def _tab(self, title: str) -> QFormLayout:
        page = QWidget()
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.tabs.addTab(page, title)
        return form

    def _add(
        self,
        form: QFormLayout,
        name: str,
        text: str,
        widget: QWidget,
        help_text: str = "",
        *,
        label: str = "",
    ) -> QWidget:
        """`add_field` into one of the tabs' layouts (the form dialog adds to `form`)."""
        main = self.form
        self.form = form
        try:
            added = self.add_field(name, text, widget, help_text)
        finally:
            self.form = main
        if label:
            widget.setAccessibleName(f"{label} {text}")
        return added

    def _register_alias(self, alias: str, name: str) -> None:
        self._aliases[alias] = name

    # -- errors ----------------------------------------------------------------------
    def field_for(self, field: str | None) -> str | None:
        """The registered field a service's field name lands on: "extras.1.price" →
        "extras", "basic.tier" → "packages"."""
        if not field:
            return None
        if field in self._fields:
            return field
        if field in self._aliases:
            return self._aliases[field]
        head = field.split(".")[0]
        if head in TIERS:
            return "packages"
        return head if head in self._fields else None

    def show_error(self, field: str | None, message: str) -> None:
        name = self.field_for(field)
        super().show_error(name, message)
        if name is None:
            return
        widget = self.field(name)
        # Bring the tab that holds the field to the front.
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and page.isAncestorOf(widget):
                self.tabs.setCurrentIndex(index)
                break
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- data ------------------------------------------------------------------------
    def load(self, gig: dict[str, Any]) -> None:
        currency = gig.get("currency") or "USD"
        self.title.setText(gig.get("title") or "")
        self.category.setCurrentText(gig.get("category") or "")
        self.tags.setText(", ".join(gig.get("tags") or ()))
        self.description.setPlainText(gig.get("description") or "")
        self.currency.setText(currency)
        self.min_price.setText(_money_text(gig.get("min_package_price_minor"), currency))
        by_tier = {p["tier"]: p for p in gig.get("packages") or ()}
        for tier, column in self.packages.items():
            column.load(by_tier.get(tier), currency)
        for extra in gig.get("extras") or ():
            self.extras.add().load(extra, currency)
        for faq in gig.get("faqs") or ():
            row = self.faqs.add()
            row.question.setText(faq.get("question") or "")
            row.answer.setText(faq.get("answer") or "")
        for requirement in gig.get("requirements") or ():
            row = self.requirements.add()
            row.question.setText(requirement.get("question") or "")
            row.kind.setCurrentIndex(max(0, row.kind.findData(requirement.get("kind"))))
            row.choices.setText(", ".join(requirement.get("choices") or ()))
            row.required.setChecked(bool(requirement.get("required", True)))

    def collect(self) -> GigInput:
        """What the form says, as the service's input; a bad amount is refused here."""
        currency = self.currency.text().strip().upper() or "USD"
        min_text = self.min_price.text().strip()
        minimum = (
            _parse_money(
                min_text, currency, field="min_package_price", label="minimum package price"
            )
            if min_text
            else None
        )
        packages = tuple(
            p for p in (c.collect(currency) for c in self.packages.values()) if p is not None
        )
        base = self._base
        return GigInput(
            title=self.title.text(),
            category=self.category.currentText(),
            tags=tuple(_tags(self.tags.text())),
            description=self.description.toPlainText(),
            packages=packages,
            extras=tuple(row.collect(currency, i) for i, row in enumerate(self.extras.rows)),
            faqs=tuple(
                (row.question.text(), row.answer.text())
                for row in self.faqs.rows
                if row.question.text().strip() or row.answer.text().strip()
            ),
            requirements=tuple(
                row.collect() for row in self.requirements.rows if row.question.text().strip()
            ),
            platform=base.get("platform") or "fiverr",
            currency=currency,
            fee_bp=base.get("fee_bp", FIVERR.fee_bp),
            clearance_days=base.get("clearance_days", FIVERR.clearance.days),
            min_package_price_minor=minimum,
        )

    def accept(self) -> None:
        saved = self.run_service(lambda: self._save(self.collect()))
        if saved is None:
            return
        self.saved = saved
        super().accept()


class OrderDialog(FormDialog):
    """A new order of one gig: package, extras, buyer; price and delivery shown live."""

    def __init__(
        self,
        gig: dict[str, Any],
        place: Callable[[OrderInput], dict[str, Any]],
        buyers: Sequence[tuple[str, str]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("New order", parent)
        self.setObjectName("order-dialog")
        self._gig = gig
        self._place = place
        self.saved: dict[str, Any] | None = None
        self._currency = gig.get("currency") or "USD"
        gig_label = QLabel(gig.get("title") or "")
        gig_label.setWordWrap(True)
        self.add_field("gig", "Gig", gig_label)
        self.package = QComboBox()
        for p in gig.get("packages") or ():
            price = Money(p["price_minor"], self._currency)
            self.package.addItem(
                f"{p['tier'].title()} — {p['name']} · {price} · {p['delivery_days']} days",
                p["tier"],
            )
        self.add_field("package", "&Package", self.package)
        self.extras = QListWidget()
        self.extras.setMaximumHeight(120)
        for e in gig.get("extras") or ():
            price = Money(e["price_minor"], self._currency)
            if e.get("kind") == "fast_delivery":
                saved = e.get("days_saved") or {}
                what = "extra-fast: " + ", ".join(
                    f"{tier.title()} −{days}d" for tier, days in saved.items()
                )
            elif e.get("extra_days"):
                what = f"+{e['extra_days']} day{'s' if e['extra_days'] != 1 else ''}"
            else:
                what = "no extra days"
            item = QListWidgetItem(f"{e['title']} · {price} · {what}")
            item.setData(Qt.ItemDataRole.UserRole, e["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.extras.addItem(item)
        rows = self.extras.count()
        line = self.extras.fontMetrics().height() + 6
        self.extras.setFixedHeight(line * max(rows, 1) + 8)
        self.extras.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.add_field("extras", "&Extras", self.extras)
        # The list (of a fixed height) at the top of its row, level with its label: it
        # was centred in the row's spare height, a line below "Extras".
        holder = self.extras.parentWidget()
        rows_box = holder.layout() if holder is not None else None
        if isinstance(rows_box, QVBoxLayout):
            rows_box.addStretch(1)
        self.buyer = QComboBox()
        self.buyer.setEditable(True)
        self.buyer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for client_id, name in buyers:
            self.buyer.addItem(name, client_id)
        self.buyer.setCurrentIndex(-1)
        self.buyer.setCurrentText("")
        buyer_edit = self.buyer.lineEdit()
        if buyer_edit is not None:
            buyer_edit.setPlaceholderText("A buyer's name (new or existing)")
        self.add_field("buyer", "&Buyer", self.buyer)
        self.number = QLineEdit()
        self.number.setPlaceholderText("Fiverr's order number, if you have it")
        self.add_field("number", "Order &number", self.number)
        self.summary = QLabel()
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_field("summary", "Total", self.summary)
        self.package.currentIndexChanged.connect(self.update_summary)
        self.extras.itemChanged.connect(lambda _item: self.update_summary())
        self.resize(640, 330)
        self.update_summary()

    def check_extra(self, title: str, checked: bool = True) -> None:
        for index in range(self.extras.count()):
            item = self.extras.item(index)
            if item is not None and item.text().startswith(title):
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return
        raise LookupError(f"no extra {title!r}")

    def chosen_extras(self) -> tuple[str, ...]:
        chosen = []
        for index in range(self.extras.count()):
            item = self.extras.item(index)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                chosen.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(chosen)

    def update_summary(self) -> None:
        """Price and delivery as the service will compute them (it has the last word)."""
        tier = self.package.currentData()
        package = next((p for p in self._gig.get("packages") or () if p["tier"] == tier), None)
        if package is None:
            self.summary.setText("")
            return
        chosen = set(self.chosen_extras())
        extras = [e for e in self._gig.get("extras") or () if e["id"] in chosen]
        price = package["price_minor"] + sum(e["price_minor"] for e in extras)
        days = int(package["delivery_days"])
        fast = [e for e in extras if e.get("kind") == "fast_delivery"]
        if fast:
            days -= int((fast[0].get("days_saved") or {}).get(tier, 0))
        days += sum(
            int(e.get("extra_days") or 0) for e in extras if e.get("kind") != "fast_delivery"
        )
        revisions = package.get("revisions")
        revision_text = (
            "unlimited revisions"
            if revisions is None
            else f"{revisions} revision{'s' if revisions != 1 else ''}"
        )
        self.summary.setText(
            f"{Money(price, self._currency)} · delivery in {days} day{'s' if days != 1 else ''}"
            f" after the requirements arrive · {revision_text}"
        )

    def collect(self) -> OrderInput:
        text = self.buyer.currentText().strip()
        index = self.buyer.findText(text, Qt.MatchFlag.MatchFixedString)
        client_id = str(self.buyer.itemData(index)) if text and index >= 0 else None
        return OrderInput(
            gig_id=str(self._gig["id"]),
            package=str(self.package.currentData() or ""),
            extras=self.chosen_extras(),
            client_id=client_id,
            buyer="" if client_id else text,
            number=self.number.text().strip() or None,
        )

    def accept(self) -> None:
        saved = self.run_service(lambda: self._place(self.collect()))
        if saved is None:
            return
        self.saved = saved
        super().accept()


def _raise(exc: BaseException) -> Any:
    raise exc


class OrderStepDialog(FormDialog):
    """Deliver an order with a message to the buyer, or record the buyer's revision
    request with what to change. Accepting runs `step(order_id, text)`; a refusal (the
    text too long, the order moved on meanwhile, no revision left) shows next to its
    field or at the top, and the dialog stays open with what was typed."""

    def __init__(
        self,
        order: dict[str, Any],
        kind: Literal["deliver", "revise"],
        step: Callable[..., dict[str, Any]],  # (order id, text[, files=paths])
        parent: QWidget | None = None,
    ) -> None:
        deliver = kind == "deliver"
        super().__init__("Deliver order" if deliver else "Request a revision", parent)
        self.setObjectName("order-deliver-dialog" if deliver else "order-revision-dialog")
        self._order_id = str(order["id"])
        self._step = step
        self.saved: dict[str, Any] | None = None
        title = QLabel(
            " · ".join(str(part) for part in (order.get("number"), order.get("title")) if part)
        )
        title.setWordWrap(True)
        self.add_field("order", "Order", title)
        if not deliver:
            used, allowed = int(order.get("revisions_used") or 0), order.get("revisions_allowed")
            counted = QLabel(
                f"Revision {used + 1}; the package includes unlimited revisions"
                if allowed is None
                else f"Revision {used + 1} of {allowed} included in the package"
            )
            self.add_field("revisions", "Revisions", counted)
            delivered = (order.get("deliveries") or [{}])[-1].get("message") or ""
            if delivered:
                flat = " ".join(delivered.split())
                last = QLabel(flat if len(flat) <= 240 else flat[:239].rstrip() + "…")
                last.setToolTip(delivered)
                last.setWordWrap(True)
                last.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                last.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                self.add_field("last_delivery", "Delivered", last)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(110)
        if deliver:
            self.text.setPlaceholderText(
                "What you deliver: the files and links, and anything the buyer should know"
            )
            help_text = "Sent with the delivery."
        else:
            self.text.setPlaceholderText("What the buyer asked to change")
            help_text = "Counted against the package's revisions."
        # The service's field names: its refusal (too long, a NUL) shows under the text.
        if deliver:
            self.add_field("message", "&Message", self.text, help_text)
            self.files: FilePicker | None = FilePicker()
            self.add_field(
                "files", "Files", self.files, "The workspace keeps a copy of each file sent."
            )
        else:
            self.files = None
            self.add_field("note", "&What to change", self.text, help_text)
        ok = self.buttons.button(self.buttons.StandardButton.Ok)
        if ok is not None:
            ok.setText("&Deliver" if deliver else "&Request revision")
        self.resize(580, 430)

    def accept(self) -> None:
        text, files = self.text.toPlainText(), self.files
        if files is not None and files.paths():  # copied off the GUI thread
            if not files.busy:
                paths = files.paths()
                self.buttons.setEnabled(False)
                files.run(
                    lambda: self._step(self._order_id, text, files=paths),
                    self._delivered,
                    self._refused,
                )
            return
        saved = self.run_service(lambda: self._step(self._order_id, text))
        if saved is None:
            return
        self._delivered(saved)

    def _delivered(self, saved: dict[str, Any]) -> None:
        self.buttons.setEnabled(True)
        self.clear_errors()
        self.saved = saved
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.run_service(lambda: _raise(exc))  # shown next to its field, as on this thread

    def reject(self) -> None:
        if self.files is not None and self.files.busy:
            return  # the delivery is being recorded: it cannot be called back
        super().reject()
