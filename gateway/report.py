"""Audit reports (issue 11): the whole history of a model or of a workpiece result, for people, as HTML and
as PDF.

A report is read from the ledger through the member's own peer and verified as `bcmlp verify` verifies
(gateway.verify), so it says nothing the ledger and the stored content do not:

- a model certificate's report lists its nine life-cycle phases in order, each with the member who wrote
  it, its organisation, its trust and trust level at the time (kept in the record by the contract when it
  endorsed the write: `creatorTrust`), the certificate it cited, the artifacts it cited, and the block
  and transaction that hold it (a phase not yet written is listed as such); then the approvals the same
  way; then every artifact and certificate it rests on with its verification verdict;
- an artifact's report (a workpiece's inspection result, a dataset, a model file) lists its lineage,
  newest first, each record with the same columns, then the verdicts;
- a model certificate's report also shows, as figures, the PNG pictures its phases cite (the evaluation's
  confusion matrix), each only once its verdict is intact and as verified bytes, at most
  MAX_FIGURE_BYTES each.

One data model (AuditReport), two renderings: HTML from a Jinja2 template (report.html.j2, autoescaped)
and PDF drawn by ReportLab's layout engine (platypus) from the same rows, so both show the same sections
in the same order. ReportLab, not an HTML-to-PDF converter: WeasyPrint needs Pango from the operating
system, which a fresh machine without a package mirror cannot be assumed to have; ReportLab is one wheel.
"""

from __future__ import annotations

import base64
import datetime
import io
from dataclasses import dataclass
from importlib import resources

import jinja2
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gateway.artifacts.errors import ArtifactError
from gateway.artifacts.store import ArtifactStore
from gateway.ledger import DEFAULT_PHASE_WRITERS, Ledger, TrustAtWrite
from gateway.verify import DataKeys, Verdict, block_number, stored_artifact, verify

PHASES = tuple(DEFAULT_PHASE_WRITERS)  # the nine life-cycle phases, in order
FORMATS = ("html", "pdf")
SUBJECTS = ("model", "artifact")

SECTION_SUMMARY = "Summary"
SECTION_PHASES = "Life-cycle phases"
SECTION_LINEAGE = "Lineage"
SECTION_APPROVALS = "Approvals"
SECTION_VERDICTS = "Artifacts and verification verdicts"
SECTION_FIGURES = "Figures"
FIGURE_TYPES = ("image/png",)
MAX_FIGURE_BYTES = 2 << 20


@dataclass(frozen=True)
class Figure:
    """Figure is a picture a phase cites, shown in the report: its artifact, caption and verified bytes."""

    artifact_id: str
    caption: str
    media_type: str
    content: bytes

    @property
    def data_uri(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.content).decode()}"


@dataclass(frozen=True)
class Entry:
    """Entry is one signed record of the history: what it is, who wrote it with its trust then, what it
    cites, and where it is on the ledger. A phase not yet written has no writer (member "")."""

    what: str
    member: str
    organisation: str  # MSP id
    trust: TrustAtWrite | None
    detail: str
    block: int
    tx_id: str
    timestamp: str

    @property
    def trust_text(self) -> str:
        if self.trust is None:
            return ""
        return f"{format(self.trust.trust, 'f')} ({self.trust.level})"


@dataclass(frozen=True)
class AuditReport:
    """AuditReport is everything a report shows, in the order it shows it."""

    title: str
    project: str
    subject: str  # one of SUBJECTS
    subject_id: str
    generated_at: str
    generated_for: str  # the member who asked, whose peer answered
    summary: tuple[tuple[str, str], ...]
    history_title: str  # SECTION_PHASES or SECTION_LINEAGE
    history: tuple[Entry, ...]
    approvals: tuple[Entry, ...]
    verdicts: tuple[Verdict, ...]
    figures: tuple[Figure, ...] = ()

    @property
    def intact(self) -> bool:
        return bool(self.verdicts) and all(v.status == "intact" for v in self.verdicts)


async def model_report(
    ledger: Ledger,
    store: ArtifactStore,
    project: str,
    cert_id: str,
    *,
    data_key_for: DataKeys,
    generated_for: str,
) -> AuditReport:
    """model_report is the audit report of model certificate cert_id of project (module doc). A
    LedgerError of the lookup (an unknown certificate) propagates as the peers said it."""
    provenance = ledger.provenance(project)
    cert = await provenance.get_model_certificate(cert_id)
    verdicts = await verify(ledger, store, project, "model", cert_id, data_key_for=data_key_for)
    written = {p.phase: p for p in cert.phases}
    history = []
    for phase in PHASES:
        p = written.get(phase)
        if p is None:
            history.append(Entry(phase, "", "", None, "not recorded yet", -1, "", ""))
            continue
        cited = ", ".join(p.artifacts) or "no artifacts"
        history.append(
            Entry(
                phase,
                p.creator_member,
                p.creator_msp,
                p.creator_trust,
                f"certificate {p.creator_certificate_id}; {cited}",
                await block_number(ledger, project, p.tx_id),
                p.tx_id,
                p.timestamp,
            )
        )
    approvals = [
        Entry(
            "approval",
            a.approver_member,
            a.approver_msp,
            a.approver_trust,
            "certified it" if a.tx_id == cert.certified_tx_id else "",
            await block_number(ledger, project, a.tx_id),
            a.tx_id,
            a.timestamp,
        )
        for a in cert.approvals
    ]
    opened = Entry(
        "opened",
        cert.creator_member,
        cert.creator_msp,
        cert.creator_trust,
        "author",
        await block_number(ledger, project, cert.tx_id),
        cert.tx_id,
        cert.timestamp,
    )
    intact = {v.record_id for v in verdicts if v.kind == "artifact" and v.status == "intact"}
    figures = []
    for p in cert.phases:
        for artifact_id in p.artifacts:
            if artifact_id in intact:
                figure = await _figure(ledger, store, project, artifact_id, p.phase, data_key_for)
                if figure is not None:
                    figures.append(figure)
    policy = cert.policy
    summary = (
        ("Model", f"{cert.model_name} {cert.version}"),
        ("Status", cert.status),
        ("Model artifact", f"{cert.model_artifact_id or '(none yet)'} sha256 {cert.model_sha256 or '-'}"),
        ("Phases recorded", f"{len(cert.phases)} of {len(PHASES)}"),
        (
            "Approval policy",
            f"{policy.approvals} approvals from at least {policy.min_organisations} organisations; "
            f"{len(cert.approvals)} given",
        ),
        ("Certified", f"at {cert.certified_at} in {cert.certified_tx_id}" if cert.certified_at else "no"),
    )
    return AuditReport(
        title=f"Audit report: model certificate {cert_id}",
        project=project,
        subject="model",
        subject_id=cert_id,
        generated_at=_now(),
        generated_for=generated_for,
        summary=summary,
        history_title=SECTION_PHASES,
        history=tuple(history),
        approvals=(opened, *approvals),
        verdicts=tuple(verdicts),
        figures=tuple(figures),
    )


async def _figure(
    ledger: Ledger, store: ArtifactStore, project: str, artifact_id: str, phase: str, data_key_for: DataKeys
) -> Figure | None:
    """_figure is artifact_id as a Figure when it is a picture small enough to show, read and checked
    against its record through the first node that serves it; None otherwise."""
    record = await ledger.provenance(project).get_artifact(artifact_id)
    if record.media_type not in FIGURE_TYPES or record.size > MAX_FIGURE_BYTES:
        return None
    stored = stored_artifact(ledger, store, record)
    key = await data_key_for(record.wrapped_key_epoch)
    for org in (o for o in stored.pinned_on if o in store.organisations):
        try:
            content = await store.get(stored, key, via=org)
        except ArtifactError:
            continue
        caption = f"{artifact_id}, cited by phase {phase} (sha256 {record.sha256[:16]}...)"
        return Figure(artifact_id, caption, record.media_type, content)
    return None


async def artifact_report(
    ledger: Ledger,
    store: ArtifactStore,
    project: str,
    artifact_id: str,
    *,
    data_key_for: DataKeys,
    generated_for: str,
) -> AuditReport:
    """artifact_report is the audit report of artifact artifact_id of project (a workpiece's inspection
    result, a dataset, a model file): its lineage and the verdicts."""
    provenance = ledger.provenance(project)
    lineage = await provenance.get_lineage(artifact_id)
    verdicts = await verify(ledger, store, project, "artifact", artifact_id, data_key_for=data_key_for)
    members = {m.identity: m.member_id for m in await provenance.get_members()}
    history = tuple(
        [
            Entry(
                f"{a.kind} {a.artifact_id}",
                members.get(a.creator, "(not a listed member)"),
                a.creator_msp,
                a.creator_trust,
                f"sha256 {a.sha256}; {a.size} bytes {a.media_type}; parents {', '.join(a.parents) or 'none'}",
                await block_number(ledger, project, a.tx_id),
                a.tx_id,
                a.timestamp,
            )
            for a in lineage
        ]
    )
    subject = lineage[0]
    summary = (
        ("Artifact", f"{subject.artifact_id} ({subject.kind})"),
        ("Content", f"sha256 {subject.sha256}, {subject.size} bytes, {subject.media_type}"),
        ("Records in its lineage", str(len(lineage))),
    )
    return AuditReport(
        title=f"Audit report: artifact {artifact_id}",
        project=project,
        subject="artifact",
        subject_id=artifact_id,
        generated_at=_now(),
        generated_for=generated_for,
        summary=summary,
        history_title=SECTION_LINEAGE,
        history=history,
        approvals=(),
        verdicts=tuple(verdicts),
    )


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


_TEMPLATES = jinja2.Environment(
    loader=jinja2.FunctionLoader(
        lambda name: resources.files("gateway").joinpath(name).read_text(encoding="utf-8")
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class Section:
    """Section is one titled table of a rendered report; both renderings draw the same sections."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # millimetres on the PDF page


ENTRY_HEADER = (
    "What",
    "Member",
    "Organisation",
    "Trust at the time",
    "Cites",
    "Block",
    "Transaction",
    "Time",
)
ENTRY_WIDTHS = (28.0, 26, 24, 30, 58, 12, 50, 36)


def _entry_row(e: Entry) -> tuple[str, ...]:
    block = str(e.block) if e.block >= 0 else ""
    return (e.what, e.member, e.organisation, e.trust_text, e.detail, block, e.tx_id, e.timestamp)


def sections(report: AuditReport) -> list[Section]:
    """sections are report's tables in the order both renderings show them."""
    found = [
        Section(SECTION_SUMMARY, ("Item", "Value"), report.summary, (60.0, 200)),
        Section(
            report.history_title, ENTRY_HEADER, tuple(_entry_row(e) for e in report.history), ENTRY_WIDTHS
        ),
    ]
    if report.approvals:
        rows = tuple(_entry_row(e) for e in report.approvals)
        found.append(Section(SECTION_APPROVALS, ENTRY_HEADER, rows, ENTRY_WIDTHS))
    verdicts = tuple(
        (f"{v.kind} {v.record_id}", v.status, v.creator, str(v.block_number), v.tx_id, v.why)
        for v in report.verdicts
    )
    header = ("Record", "Verdict", "Organisation", "Block", "Transaction", "Why")
    found.append(Section(SECTION_VERDICTS, header, verdicts, (55.0, 20, 24, 12, 50, 103)))
    return found


def _headline(report: AuditReport) -> str:
    verdict = "every record intact" if report.intact else "NOT intact: see the verdicts"
    return f"Project {report.project}; generated {report.generated_at} for {report.generated_for}; {verdict}"


def to_html(report: AuditReport) -> str:
    """to_html renders report as one self-contained HTML page."""
    return _TEMPLATES.get_template("report.html.j2").render(
        title=report.title,
        headline=_headline(report),
        intact=report.intact,
        sections=sections(report),
        figures_title=SECTION_FIGURES,
        figures=report.figures,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(section: Section) -> Table:
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=7, leading=8.5, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold")
    data = [[Paragraph(_escape(h), head) for h in section.header]]
    data += [[Paragraph(_escape(c), cell) for c in row] for row in section.rows]
    table = Table(data, colWidths=[w * mm for w in section.widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def to_pdf(report: AuditReport) -> bytes:
    """to_pdf renders report as a PDF document (A4 landscape), the same sections as to_html."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=report.title,
        author=report.generated_for,
    )
    story: list[Flowable] = [
        Paragraph(_escape(report.title), styles["Title"]),
        Paragraph(_escape(_headline(report)), styles["Normal"]),
    ]
    # A heading never ends a page alone.
    heading = ParagraphStyle("section", parent=styles["Heading2"], keepWithNext=1)
    for section in sections(report):
        story += [Paragraph(_escape(section.title), heading), _table(section)]
    if report.figures:
        story.append(Paragraph(SECTION_FIGURES, heading))
    for figure in report.figures:
        picture = Image(io.BytesIO(figure.content))
        scale = min(1.0, 150 * mm / picture.drawWidth, 120 * mm / picture.drawHeight)
        picture.drawWidth, picture.drawHeight = picture.drawWidth * scale, picture.drawHeight * scale
        picture.hAlign = "LEFT"
        story += [picture, Paragraph(_escape(figure.caption), styles["Normal"]), Spacer(1, 3 * mm)]
    story.append(Spacer(1, 4 * mm))
    document.build(story)
    return out.getvalue()
