"""Audit report rendering (gateway/report.py): the same sections in HTML and PDF; the PDF turned into
page images (PDFium) that are not blank, and its text holding each section, all nine phases, each writer
with its trust at the time, and the block and transaction references. The integration test of the same
report read from the running network is in tests/integration/test_certificates.py."""

from __future__ import annotations

import base64
import dataclasses
import html.parser
import io
from decimal import Decimal

import pypdfium2
from PIL import Image

from gateway.ledger import TrustAtWrite
from gateway.report import (
    PHASES,
    SECTION_APPROVALS,
    SECTION_FIGURES,
    SECTION_PHASES,
    SECTION_SUMMARY,
    SECTION_VERDICTS,
    AuditReport,
    Entry,
    Figure,
    to_html,
    to_pdf,
)
from gateway.verify import Verdict


def report(*, altered: bool = False) -> AuditReport:
    trust = TrustAtWrite(Decimal("0.42"), "medium trust")
    written = [
        Entry(
            phase,
            f"writer-{i}",
            "Org1MSP",
            trust,
            f"certificate company-{i}; raw-{i}",
            100 + i,
            f"{i:02d}" + "ab" * 31,
            "2026-11-29T10:00:00Z",
        )
        for i, phase in enumerate(PHASES[:8])
    ]
    history = (*written, Entry(PHASES[8], "", "", None, "not recorded yet", -1, "", ""))
    approvals = (Entry("approval", "<script>alert(1)</script>", "Org2MSP", trust, "", 120, "cd" * 32, "t"),)
    verdicts = (
        Verdict("artifact", "raw-0", "altered" if altered else "intact", 100, "ef" * 32, "Org1MSP", ""),
        Verdict("model certificate", "cert-1", "uncertified", 99, "12" * 32, "Org1MSP", "8 of 9 phases"),
    )
    return AuditReport(
        title="Audit report: model certificate cert-1",
        project="demo",
        subject="model",
        subject_id="cert-1",
        generated_at="2026-11-29T12:00:00+00:00",
        generated_for="auditor-1",
        summary=(("Model", "surface-cnn 1"), ("Phases recorded", "8 of 9")),
        history_title=SECTION_PHASES,
        history=history,
        approvals=approvals,
        verdicts=verdicts,
    )


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.scripts += tag == "script"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_report_shows_every_section_and_escapes_what_members_wrote() -> None:
    page = _Text()
    page.feed(to_html(report()))
    text = " ".join(page.text)
    for heading in (SECTION_SUMMARY, SECTION_PHASES, SECTION_APPROVALS, SECTION_VERDICTS):
        assert heading in text
    assert all(phase in text for phase in PHASES)
    assert "0.42 (medium trust)" in text and "not recorded yet" in text
    assert "<script>alert(1)</script>" in text and page.scripts == 0  # shown as text, never run
    assert "NOT intact" in text  # an uncertified certificate is no clean report


def pdf_pages(document: bytes) -> list[tuple[str, int]]:
    """pdf_pages renders each page to an image and reads its text: (text, non-white pixels)."""
    pdf = pypdfium2.PdfDocument(document)
    pages = []
    for page in pdf:
        image = page.render(scale=1).to_pil().convert("L")
        inked = sum(image.histogram()[:128])  # pixels darker than mid-grey
        pages.append((page.get_textpage().get_text_range(), inked))
    return pages


def test_the_pdf_report_renders_to_pages_with_every_section() -> None:
    pages = pdf_pages(to_pdf(report()))
    assert pages and all(inked > 1000 for _, inked in pages), [inked for _, inked in pages]
    text = " ".join(t for t, _ in pages).replace("\r\n", " ").replace("\n", " ")
    for heading in (SECTION_SUMMARY, SECTION_PHASES, SECTION_APPROVALS, SECTION_VERDICTS):
        assert heading in text
    assert all(phase in text for phase in PHASES), text
    assert "writer-5" in text and "medium trust" in text and "Org2MSP" in text
    assert "105" in text  # the training phase's block
    assert "uncertified" in text and "NOT intact" in text


def test_an_altered_record_is_what_the_report_leads_with() -> None:
    assert not report(altered=True).intact
    assert "altered" in " ".join(t for t, _ in pdf_pages(to_pdf(report(altered=True))))


def test_a_cited_picture_is_shown_as_a_figure_in_both_renderings() -> None:
    """The evaluation's confusion matrix (any PNG a phase cites) is embedded as the verified bytes."""
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (20, 40, 160)).save(out, format="PNG")
    figure = Figure("confusion-1", "confusion-1, cited by phase evaluation", "image/png", out.getvalue())
    with_figure = dataclasses.replace(report(), figures=(figure,))
    page = to_html(with_figure)
    uri = f"data:image/png;base64,{base64.b64encode(figure.content).decode()}"
    assert f'<img src="{uri}" alt="confusion-1">' in page and SECTION_FIGURES in page
    assert SECTION_FIGURES not in to_html(report())
    plain, shown = pdf_pages(to_pdf(report())), pdf_pages(to_pdf(with_figure))
    text = " ".join(t for t, _ in shown)
    assert SECTION_FIGURES in text and "cited by phase evaluation" in text
    # The blue picture inks the page far beyond what the text alone does.
    assert sum(inked for _, inked in shown) > sum(inked for _, inked in plain) + 20_000
