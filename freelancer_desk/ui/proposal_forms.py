"""Editors of the Proposals area: a job post captured from the platform, the proposal
editor (cover letter from templates and snippets, screening answers, an hourly or fixed
bid with a live calculator), the templates-and-snippets manager, and the Hire dialog
(the contract a hire makes and the client it is with)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.ui.areapage import muted, scaled_font
from freelancer_desk.ui.client_forms import ClientDialog
from freelancer_desk.ui.contract_forms import (
    PLATFORM_CHOICES,
    ROUNDING_CHOICES,
    SNAPSHOT_CHOICES,
    MilestonesTable,
    combo,
    money_text,
    parse_money,
    parse_percent,
    qdate,
    show_money,
)
from freelancer_desk.ui.forms import FormDialog

if TYPE_CHECKING:
    from freelancer_desk.app import App

BUDGET_CHOICES = (("hourly", "Hourly range"), ("fixed", "Fixed price"))


def _instant(app: App, picked: object) -> datetime:
    """A picked calendar day as an instant: now for today, noon UTC otherwise."""
    now = app.clock.now()
    if not isinstance(picked, date) or picked == now.date():
        return now
    return datetime.combine(picked, time(12), UTC)


class JobPostDialog(FormDialog):
    """A job post as the client wrote it: paste the description, note the budget,
    skills and screening questions."""

    def __init__(self, app: App, job: dict[str, Any] | None = None, parent: QWidget | None = None):
        super().__init__("Edit job post" if job else "New job post", parent)
        self.app = app
        self.job = job
        self.result_data: dict[str, Any] | None = None
        j = job or {}
        currency = j.get("currency", "USD")
        self.title_edit = QLineEdit(j.get("title", ""))
        self.title_edit.setPlaceholderText("The post's title")
        self.add_field("title", "&Title", self.title_edit)
        self.client = QLineEdit(j.get("client_name", ""))
        self.client.setPlaceholderText("Client name as shown on the post")
        self.add_field("client_name", "&Client", self.client)
        self.platform = combo(PLATFORM_CHOICES, j.get("platform", "upwork"))
        self.add_field("platform", "&Platform", self.platform)
        self.description = QPlainTextEdit(j.get("description", ""))
        self.description.setPlaceholderText("Paste the job description here")
        self.description.setMinimumHeight(120)
        self.add_field("description", "&Description", self.description)
        self.budget_kind = combo(BUDGET_CHOICES, j.get("budget_kind", "hourly"))
        self.add_field("budget_kind", "&Budget", self.budget_kind)
        self.budget_min = QLineEdit(money_text(j.get("budget_min_minor"), currency))
        self.add_field("budget_min", "&From", self.budget_min)
        self.budget_max = QLineEdit(money_text(j.get("budget_max_minor"), currency))
        self.budget_max.setPlaceholderText("top of the hourly range")
        self.add_field("budget_max", "T&o", self.budget_max)
        self.currency = QLineEdit(currency)
        self.currency.setMaxLength(3)
        self.add_field("currency", "C&urrency", self.currency)
        self.skills = QLineEdit(", ".join(j.get("skills") or []))
        self.skills.setPlaceholderText("Comma-separated, e.g. Shopify, Liquid, Performance")
        self.add_field("skills", "&Skills", self.skills)
        self.questions = QPlainTextEdit("\n".join(j.get("screening_questions") or []))
        self.questions.setPlaceholderText("One question per line")
        self.questions.setMinimumHeight(70)
        self.add_field("screening_questions", "Screening &questions", self.questions)
        self.url = QLineEdit(j.get("url", ""))
        self.url.setPlaceholderText("https://www.upwork.com/jobs/…")
        self.add_field("url", "&Link", self.url)
        posted = j.get("posted_at")
        day = datetime.fromisoformat(posted).date() if posted else app.clock.now().date()
        self.posted = QDateEdit(qdate(day))
        self.posted.setCalendarPopup(True)
        self.posted.setDisplayFormat("yyyy-MM-dd")
        self.add_field("posted_at", "Posted &on", self.posted)
        self.connects = QSpinBox()
        self.connects.setRange(0, 100)
        self.connects.setValue(j.get("connects_required") or 0)
        self.add_field("connects_required", "Co&nnects to apply", self.connects)
        self.budget_kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.resize(620, 720)

    def _kind_changed(self) -> None:
        hourly = self.budget_kind.currentData() == "hourly"
        self.budget_max.setEnabled(hourly)
        self.budget_min.setPlaceholderText("bottom of the hourly range" if hourly else "budget")

    def job_input(self) -> Any:
        from freelancer_desk.services.jobs import JobPostInput

        currency = self.currency.text().strip().upper() or "USD"
        hourly = self.budget_kind.currentData() == "hourly"
        return JobPostInput(
            title=self.title_edit.text(),
            client_name=self.client.text(),
            platform=str(self.platform.currentData()),
            description=self.description.toPlainText(),
            budget_kind=str(self.budget_kind.currentData()),
            budget_min_minor=parse_money(
                self.budget_min.text(), currency, "budget_min", required=False
            ),
            budget_max_minor=parse_money(
                self.budget_max.text(), currency, "budget_max", required=False
            )
            if hourly
            else None,
            currency=currency,
            skills=tuple(s.strip() for s in self.skills.text().split(",") if s.strip()),
            screening_questions=tuple(
                q.strip() for q in self.questions.toPlainText().splitlines() if q.strip()
            ),
            url=self.url.text(),
            posted_at=_instant(self.app, self.posted.date().toPython()),
            connects_required=self.connects.value() or None,
        )

    def save(self) -> dict[str, Any]:
        if self.job is not None:
            return self.app.jobs.update(self.job["id"], self.job_input())
        return self.app.jobs.create(self.job_input())

    def accept(self) -> None:
        result = self.run_service(self.save)
        if result is not None:
            self.result_data = result
            super().accept()


class ProposalEditor(FormDialog):
    """A proposal for one job: cover letter with templates and snippets filled in,
    screening answers, the bid with what the freelancer receives, duration, connects.
    A submitted proposal opens read-only: it stays as it was sent."""

    def __init__(
        self,
        app: App,
        job: dict[str, Any],
        proposal: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ):
        editable = proposal is None or proposal["state"] == "draft"
        title = "New proposal" if proposal is None else "Edit proposal" if editable else "Proposal"
        super().__init__(f"{title}: {job['title']}", parent)
        self.app = app
        self.job = job
        self.proposal = proposal
        self.editable = editable
        self.result_data: dict[str, Any] | None = None
        self.template_id: str | None = (proposal or {}).get("template_id")
        p = proposal or {}
        self.currency = p.get("currency") or job.get("currency", "USD")

        heading = QLabel(
            f"<b>{_escape(job['title'])}</b> · {_escape(job.get('client_name') or '')}"
        )
        heading.setWordWrap(True)
        self.add_field("job", "Job", heading)

        # Templates and snippets, inserted at the cursor with placeholders filled.
        picker = QWidget()
        row = QHBoxLayout(picker)
        row.setContentsMargins(0, 0, 0, 0)
        self.template = QComboBox()
        self.template.setAccessibleName("Template or snippet")
        for t in app.proposals.templates():
            self.template.addItem(f"{t['name']} ({t['kind']})", t["id"])
        self.skill = QComboBox()
        self.skill.setEditable(True)
        self.skill.setAccessibleName("Skill for {skill}")
        self.skill.addItems(job.get("skills") or [])
        self.insert_button = QPushButton("&Insert")
        self.insert_button.clicked.connect(lambda _checked=False: self.insert_template())
        row.addWidget(self.template, 3)
        row.addWidget(QLabel("skill"))
        row.addWidget(self.skill, 2)
        row.addWidget(self.insert_button)
        self.add_field(
            "template",
            "Insert template / snippet",
            picker,
            "{client}, {job} and {skill} are filled from the job post",
        )
        self.cover = QPlainTextEdit(p.get("cover_letter", ""))
        self.cover.setMinimumHeight(160)
        self.cover.setPlaceholderText("Your cover letter — or insert a template above")
        self.add_field("cover_letter", "Cover &letter", self.cover)

        answers_box = QWidget()
        answers = QVBoxLayout(answers_box)
        answers.setContentsMargins(0, 0, 0, 0)
        given = {a["question"]: a["answer"] for a in p.get("answers", [])}
        self.answers: list[tuple[str, QPlainTextEdit]] = []
        for question in job.get("screening_questions") or []:
            label = QLabel(question)
            label.setWordWrap(True)
            edit = QPlainTextEdit(given.get(question, ""))
            edit.setMinimumHeight(50)
            edit.setAccessibleName(f"Answer: {question}")
            answers.addWidget(label)
            answers.addWidget(edit)
            self.answers.append((question, edit))
        if self.answers:
            self.add_field("answers", "Screening &answers", answers_box)

        self.bid_kind = combo(BUDGET_CHOICES, p.get("bid_kind") or job.get("budget_kind", "fixed"))
        self.bid_kind.setItemText(0, "Hourly rate")
        self.add_field("bid_kind", "&Bid", self.bid_kind)
        self.bid = QLineEdit(
            money_text(p.get("bid_minor"), self.currency) if not p.get("milestones") else ""
        )
        self.add_field("bid", "&Amount", self.bid, f"in {self.currency}")
        self.milestones = MilestonesTable()
        for m in p.get("milestones", []):
            self.milestones.add_row(
                m["title"], money_text(m["amount_minor"], self.currency), m.get("due_on") or ""
            )
        self.add_field(
            "milestones",
            "Planned &milestones",
            self.milestones,
            "Fixed price: leave the amount empty to bid the sum of the milestones",
        )
        fee = p.get("fee_bp")
        self.fee = QLineEdit("" if fee is None else f"{fee / 100:g}")
        self.fee.setPlaceholderText("10 (Upwork's default)")
        self.add_field("fee", "&Fee %", self.fee)
        self.calculator = QLabel()
        self.calculator.setFont(scaled_font(self, 1.05, bold=True))
        self.calculator.setAccessibleName("Bid calculator")
        self.calculator.setWordWrap(True)
        self.add_field("calculator", "You receive", self.calculator)
        self.duration = QComboBox()
        self.duration.setEditable(True)
        self.duration.addItems(
            ["", "Less than 1 month", "1 to 3 months", "3 to 6 months", "More than 6 months"]
        )
        self.duration.setCurrentText(p.get("duration_estimate", ""))
        self.add_field("duration_estimate", "&Duration", self.duration)
        self.connects = QSpinBox()
        self.connects.setRange(0, 200)
        self.connects.setValue(p.get("connects_spent") or job.get("connects_required") or 0)
        self.add_field("connects_spent", "&Connects spent", self.connects)

        for signal in (self.bid.textChanged, self.fee.textChanged, self.milestones.changed):
            signal.connect(self.update_calculator)
        self.milestones.table.model().rowsRemoved.connect(self.update_calculator)
        self.bid_kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        if not editable:
            self._read_only()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("Save draft")
        self.resize(720, 820)

    def _read_only(self) -> None:
        for widget in (
            self.template,
            self.skill,
            self.insert_button,
            self.bid_kind,
            self.bid,
            self.milestones,
            self.fee,
            self.duration,
            self.connects,
        ):
            widget.setEnabled(False)
        self.cover.setReadOnly(True)
        for _q, edit in self.answers:
            edit.setReadOnly(True)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.hide()
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if cancel is not None:
            cancel.setText("Close")
        self.general_error.setText(
            f"This proposal is {self.proposal['state'] if self.proposal else ''}: "
            "it stays as it was sent."
        )
        muted(self.general_error).show()

    def _kind_changed(self) -> None:
        fixed = self.bid_kind.currentData() == "fixed"
        container = self.milestones.parentWidget()
        if container is not None:
            container.setVisible(fixed)
            label = self.form.labelForField(container)
            if label is not None:
                label.setVisible(fixed)
        self.update_calculator()

    def bid_minor(self) -> int | None:
        """The bid as typed (or the milestones' sum), None while it does not parse."""
        try:
            typed = parse_money(self.bid.text(), self.currency, "bid", required=False)
        except RuleError:
            return None
        if typed is None and self.bid_kind.currentData() == "fixed":
            return self.milestones.total_minor(self.currency) or None
        return typed

    def fee_bp(self) -> int:
        try:
            fee = parse_percent(self.fee.text())
        except RuleError:
            fee = None
        if fee is None:
            from freelancer_desk.services.contracts import check_fee

            return check_fee(self.job.get("platform", "upwork"), None)
        return fee

    def update_calculator(self) -> None:
        """ "Client pays $X → you receive $Y after the 10% fee"."""
        bid = self.bid_minor()
        fee = self.fee_bp()
        if not bid or bid <= 0:
            self.calculator.setText("Type a bid to see what you receive")
            return
        receive = self.app.proposals.bid_calculator(Money(bid, self.currency), fee).amount
        per = " per hour" if self.bid_kind.currentData() == "hourly" else ""
        self.calculator.setText(
            f"client pays {show_money(bid, self.currency)}{per} → you receive "
            f"{show_money(receive, self.currency)}{per} after the {fee / 100:g}% fee"
        )

    def insert_template(self) -> str | None:
        """The chosen template or snippet, placeholders filled, at the cursor."""
        ident = self.template.currentData()
        if not ident:
            self.show_error("template", "No templates yet: add one with “Templates & snippets…”")
            return None
        text = self.run_service(
            lambda: self.app.proposals.fill_template(
                str(ident), self.job["id"], self.skill.currentText() or None
            )
        )
        if text is None:
            return None
        cursor = self.cover.textCursor()
        if self.cover.toPlainText().strip() and cursor.atEnd():
            text = "\n\n" + text
        cursor.insertText(text)
        self.cover.setTextCursor(cursor)
        if "(template)" in self.template.currentText():
            self.template_id = str(ident)
        return text

    def proposal_input(self) -> Any:
        from freelancer_desk.services.proposals import ProposalInput

        fixed = self.bid_kind.currentData() == "fixed"
        planned = self.milestones.values(self.currency) if fixed else ()
        return ProposalInput(
            job_post_id=self.job["id"],
            bid_kind=str(self.bid_kind.currentData()),
            bid_minor=parse_money(self.bid.text(), self.currency, "bid", required=not planned),
            cover_letter=self.cover.toPlainText(),
            currency=self.currency,
            fee_bp=parse_percent(self.fee.text()),
            duration_estimate=self.duration.currentText(),
            connects_spent=self.connects.value(),
            milestones=planned,
            answers=tuple((q, edit.toPlainText()) for q, edit in self.answers),
            template_id=self.template_id,
            skill=self.skill.currentText() or None,
        )

    def save(self) -> dict[str, Any]:
        if self.proposal is not None:
            return self.app.proposals.update(self.proposal["id"], self.proposal_input())
        return self.app.proposals.create(self.proposal_input())

    def accept(self) -> None:
        if not self.editable:
            super().accept()
            return
        result = self.run_service(self.save)
        if result is not None:
            self.result_data = result
            super().accept()


class TemplatesDialog(FormDialog):
    """Templates (a whole cover letter) and snippets (a paragraph to insert), with
    {client}, {job} and {skill} placeholders."""

    def __init__(self, app: App, parent: QWidget | None = None):
        super().__init__("Templates & snippets", parent)
        self.app = app
        self.current: str | None = None
        self.list = QListWidget()
        self.list.setMinimumHeight(130)
        self.list.currentItemChanged.connect(self._picked)
        self.add_field("list", "&Saved", self.list)
        self.name = QLineEdit()
        self.add_field("name", "&Name", self.name)
        self.kind = combo((("template", "Template (whole letter)"), ("snippet", "Snippet")))
        self.add_field("kind", "&Kind", self.kind)
        self.body = QPlainTextEdit()
        self.body.setMinimumHeight(200)
        self.add_field("body", "&Text", self.body, "Placeholders: {client}, {job}, {skill}")
        self.buttons.clear()
        self.new_button = self.buttons.addButton("&New", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = self.buttons.addButton("Sa&ve", QDialogButtonBox.ButtonRole.ApplyRole)
        self.delete_button = self.buttons.addButton(
            "&Delete", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.new_button.clicked.connect(lambda _c=False: self.start_new())
        self.save_button.clicked.connect(lambda _c=False: self.save())
        self.delete_button.clicked.connect(lambda _c=False: self.delete())
        self.reload()
        self.resize(640, 620)

    def reload(self, select: str | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for t in self.app.proposals.templates():
            item = QListWidgetItem(f"{t['name']}  ·  {t['kind']}")
            item.setData(256, t)  # Qt.UserRole
            self.list.addItem(item)
            if t["id"] == select:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if select is None:
            self.start_new()

    def _picked(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is None:
            return
        t = item.data(256)
        self.current = t["id"]
        self.name.setText(t["name"])
        self.body.setPlainText(t["body"])
        self.kind.setCurrentIndex(self.kind.findData(t["kind"]))
        self.clear_errors()

    def start_new(self) -> None:
        self.current = None
        self.list.clearSelection()
        self.name.clear()
        self.body.clear()
        self.clear_errors()

    def save(self) -> dict[str, Any] | None:
        kind = str(self.kind.currentData())
        current = self.current
        result = self.run_service(
            lambda: (
                self.app.proposals.update_template(
                    current, self.name.text(), self.body.toPlainText(), kind
                )
                if current
                else self.app.proposals.create_template(
                    self.name.text(), self.body.toPlainText(), kind
                )
            )
        )
        if result is not None:
            self.reload(select=result["id"])
            self.current = result["id"]
        return result

    def delete(self) -> dict[str, Any] | None:
        current = self.current
        if current is None:
            return None
        result = self.run_service(lambda: self.app.proposals.delete_template(current))
        if result is not None:
            self.reload()
        return result


# -- hiring ----------------------------------------------------------------------------

NEW_FROM_POST = "new:post"  # the client box's "new client named in the post"
NEW_TYPED = "new:typed"  # ... and the one typed in New client…


class HireClientDialog(ClientDialog):
    """The client editor (ui/client_forms.ClientDialog) for the client a hire makes:
    checked as any new client is, refusals next to the field, but not saved — the hire
    makes it with the contract, so Cancel on the Hire dialog leaves nothing behind. Its
    platform is the job post's (a contract is on its client's)."""

    def __init__(self, app: App, platform: str, parent: QWidget | None = None) -> None:
        super().__init__(app, None, parent, platform=platform)
        self.setWindowTitle("New client for the hire")
        self.setAccessibleName("New client for the hire")
        self.platform.setEnabled(False)
        self.platform.setToolTip("The job post's platform: the contract is on its client's")
        self.client_data: Any = None  # the ClientInput, once checked
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("&Use for the hire")

    def save(self) -> dict[str, Any]:
        from freelancer_desk.services.clients import client_values

        data = self.client_input()
        checked = client_values(data)  # refused next to the field, nothing written
        self.client_data = data
        return {"name": checked["name"], "platform": checked["platform"]}


def _terms_lines(terms: dict[str, Any]) -> dict[str, str]:
    """The contract a hire makes, as the dialog shows it: {label: text}."""
    c = terms["contract"]
    currency = c["currency"]
    fee = f"{c['fee_bp'] / 100:g}%"
    receive = show_money(terms["receive_minor"], currency)
    lines: dict[str, str] = {"Title": _escape(c["title"])}
    if c["kind"] == "hourly":
        lines["Kind"] = f"Hourly, {show_money(c['hourly_rate_minor'], currency)} an hour"
        lines["Fee"] = f"{fee} — you receive {receive} an hour"
        limit = c["weekly_limit_minutes"]
        rounding = dict(ROUNDING_CHOICES).get(c["rounding_rule"], c["rounding_rule"])
        snapshots = dict(SNAPSHOT_CHOICES).get(c["snapshot_policy"], c["snapshot_policy"])
        lines["Time"] = "<br>".join(
            (
                f"Rounding: {_escape(rounding)}",
                f"Screen snapshots: {_escape(snapshots.lower())}",
                "Manual time: " + ("allowed" if c["manual_time_allowed"] else "not allowed"),
                f"Weekly limit: {limit / 60:g} h" if limit else "Weekly limit: none",
            )
        )
    else:
        total = sum(m["amount_minor"] for m in terms["milestones"])
        lines["Kind"] = f"Fixed price, {show_money(total, currency)}"
        lines["Fee"] = f"{fee} — you receive {receive}"
        lines["Milestones"] = "<br>".join(
            f"{i}. {_escape(m['title'])} — {show_money(m['amount_minor'], currency)}"
            + (f" (due {m['due_on']})" if m["due_on"] else "")
            for i, m in enumerate(terms["milestones"], 1)
        )
    return lines


class HireDialog(FormDialog):
    """Hire: the proposal's job post, the contract the hire makes (kind, rate or fixed
    price and milestones, fee, and the terms your settings give new work), and the
    client it is with — the post's client preselected when it is one; otherwise the
    post's platform's clients not archived, the client the post names (made with the
    hire), or New client…. Clients archived or on another platform are not offered.
    Nothing is written until Hire; Cancel leaves everything as it was."""

    def __init__(
        self,
        app: App,
        proposal_id: str,
        terms: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Hire: {terms['job_title']}", parent)
        self.app = app
        self.proposal_id = proposal_id
        self.terms = terms
        self.result_data: dict[str, Any] | None = None
        self.new_client_data: Any = None  # a ClientInput from New client…
        platform = terms["platform"]
        platform_label = dict(PLATFORM_CHOICES).get(platform, platform)

        heading = QLabel(
            f"<b>{_escape(terms['job_title'])}</b> · {_escape(platform_label)}"
            + (f" · {_escape(terms['post_client_name'])}" if terms["post_client_name"] else "")
        )
        heading.setWordWrap(True)
        self.add_field("job", "Job post", heading)
        contract_heading = QLabel("<b>The contract the hire creates</b>")
        self.add_field("terms", "", contract_heading)
        self.summary: dict[str, QLabel] = {}
        for label, text in _terms_lines(terms).items():
            shown = QLabel(text)
            shown.setTextFormat(Qt.TextFormat.RichText)  # escaped, even with no tag
            shown.setWordWrap(True)
            self.summary[label] = shown
            self.add_field(f"terms.{label.lower()}", label, shown)
        note = muted(
            QLabel(
                "From the proposal's bid and your settings for new work; change the "
                "terms afterwards in Contracts."
            )
        )
        note.setWordWrap(True)
        self.add_field("terms.note", "", note)

        self.client = QComboBox()
        self.client.setAccessibleName("Client")
        if terms["client_id"] is None and not terms["new_client_name"]:
            self.client.addItem("— choose the client —", "")
        if terms["new_client_name"]:
            self.client.addItem(
                f"New client: {terms['new_client_name']} (named in the post)", NEW_FROM_POST
            )
        for c in terms["clients"]:
            self.client.addItem(c["name"], c["id"])
        if terms["client_id"] is not None:
            self.client.setCurrentIndex(self.client.findData(terms["client_id"]))
        self.new_client_button = QPushButton("New c&lient…")
        self.new_client_button.setAccessibleName("New client")
        self.new_client_button.setAutoDefault(False)
        self.new_client_button.clicked.connect(lambda _checked=False: self.new_client())
        client_row = QWidget()
        row = QHBoxLayout(client_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.client, 1)
        row.addWidget(self.new_client_button)
        client_row.setFocusProxy(self.client)  # a refusal naming "client" focuses the box
        hint = f"{platform_label} clients; archived ones are not offered"
        if terms["not_offered"]:
            hint = f"{terms['not_offered']}: not offered. {hint}"
        self.add_field("client", "&Client", client_row, hint)
        self.client.setAccessibleName("Client")

        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setText("&Hire")
            ok.setAccessibleName("Hire")
        self.resize(600, 460)

    def client_ids(self) -> list[str]:
        """What the client box offers (its data), in order."""
        return [str(self.client.itemData(i)) for i in range(self.client.count())]

    def new_client(self) -> HireClientDialog:
        """A client not there yet, made with the hire (not before): its editor opens on
        the post's platform, named as the post names its client."""
        dialog = HireClientDialog(self.app, self.terms["platform"], self)
        if self.new_client_data is not None:
            dialog.name.setText(self.new_client_data.name)
        elif self.terms["post_client_name"]:
            dialog.name.setText(self.terms["post_client_name"])
        dialog.currency.setText(self.terms["contract"]["currency"])
        dialog.accepted.connect(lambda: self._client_typed(dialog))
        dialog.open()
        return dialog

    def _client_typed(self, dialog: HireClientDialog) -> None:
        data = dialog.client_data
        if data is None:
            return
        self.new_client_data = data
        index = self.client.findData(NEW_TYPED)
        text = f"New client: {data.name.strip()}"
        if index < 0:
            self.client.insertItem(0, text, NEW_TYPED)
            index = 0
        else:
            self.client.setItemText(index, text)
        self.client.setCurrentIndex(index)
        self.clear_errors()

    def hire_arguments(self) -> dict[str, Any]:
        """hire()'s client arguments for what the box shows."""
        from freelancer_desk.services.clients import ClientInput

        chosen = str(self.client.currentData() or "")
        if chosen == NEW_TYPED:
            return {"new_client": self.new_client_data}
        if chosen == NEW_FROM_POST:
            return {
                "new_client": ClientInput(
                    name=self.terms["new_client_name"],
                    platform=self.terms["platform"],
                    currency=self.terms["contract"]["currency"],
                )
            }
        if not chosen:
            raise RuleError(
                "proposal.hire_client", "choose the client the contract is with", field="client"
            )
        return {"client_id": chosen}

    def accept(self) -> None:
        result = self.run_service(
            lambda: self.app.proposals.hire(self.proposal_id, **self.hire_arguments())
        )
        if result is not None:
            self.result_data = result
            super().accept()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
