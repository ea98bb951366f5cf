"""The monthly service report of a customer account as a PDF: the figures of the reports page
(``templates/portal/reports.html``) from the same ``Dashboard``, in the active language, with
dates and times in the active time zone and numbers in the active locale (the caller activates
the reader's, as the pages' middleware does). Written with fpdf2 (pure Python); the text is set
in DejaVu Sans (vendored in ``reports/fonts`` with its licence), which has every character a
customer's or a service's name may hold, not only Latin-1."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

from django.utils import timezone, translation
from django.utils.formats import date_format, number_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from fpdf import FPDF, FontFace

from reports.dashboard import Dashboard
from reports.formatting import duration, percent, short_target, target_label
from servicedesk.models import CustomerAccount

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
# fontTools reports every table of every font subset at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

#: Rows of breaches the PDF lists (the page shows the same at most).
BREACH_ROWS = 200


def when(instant: dt.datetime | None) -> str:
    """An instant as the pages show it: short date and time in the active zone and locale."""
    if instant is None:
        return ""
    local = timezone.localtime(instant)
    return f"{date_format(local, 'SHORT_DATE_FORMAT')} {time_format(local, 'TIME_FORMAT')}"


def filename(account: CustomerAccount, report: Dashboard) -> str:
    return f"service-report-{report.period.first:%Y-%m}-{account.pk}.pdf"


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = title
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")

    def heading(self, text: str) -> None:
        self.ln(4)
        self.set_font(FAMILY, "B", 12)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 9)

    def paragraph(self, text: str, size: float = 9) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int], numeric: int) -> None:
        """A table; the last ``numeric`` columns align right."""
        self.set_font(FAMILY, "", 8)
        align = ["LEFT"] * (len(header) - numeric) + ["RIGHT"] * numeric
        with self.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            headings_style=FontFace(emphasis="BOLD"),
            line_height=5,
            first_row_as_headings=True,
        ) as table:
            for cells in [header, *rows]:
                row = table.row()
                for cell in cells:
                    row.cell(str(cell))


def monthly_report_pdf(*, report: Dashboard, account: CustomerAccount, zone_name: str, restricted: bool) -> bytes:
    """The report as PDF bytes, in the active language, zone and locale."""
    month = date_format(report.period.first, "YEAR_MONTH_FORMAT")
    title = f"{_('Service report')} · {account.name} · {month}"
    pdf = _Document(title)
    pdf.set_title(title)
    pdf.set_lang(translation.get_language() or "en")
    pdf.set_creator(_("Service report"))
    pdf.add_page()

    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(0, 9, _("Service report"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(0, 6, f"{account.name} · {month}", new_x="LMARGIN", new_y="NEXT")
    intro = _(
        "Service levels of the month, from the first to the last day in %(zone)s: the same figures as the "
        "service-level report of the API."
    ) % {"zone": zone_name}
    if restricted:
        intro += " " + _("Only the tickets and services of your sites are included.")
    pdf.paragraph(intro)

    figures = report.report
    pdf.heading(_("Key figures"))
    key_rows = [
        [f"{short_target(t)} {_('on time')}", f"{percent(f.attainment)} ({f.met}/{f.decided})"]
        for t, f in figures.targets.items()
    ]
    key_rows += [[_("tickets opened"), str(figures.opened)], [_("tickets resolved"), str(figures.resolved)]]
    pdf.grid(["", ""], key_rows, (120, 60), numeric=1)

    pdf.heading(_("Attainment per target"))
    pdf.grid(
        [_("Target"), _("Met on time"), _("Breached"), _("Attainment")],
        [[target_label(t), str(f.met), str(f.breached), percent(f.attainment, 2)] for t, f in figures.targets.items()],
        (90, 30, 30, 30),
        numeric=3,
    )

    pdf.heading(_("Availability per service"))
    if report.availability:
        pdf.grid(
            [_("Service"), _("Site"), _("Outages"), _("Downtime"), _("Availability")],
            [
                [
                    f"{row.service_id}\n{row.product}",
                    row.site,
                    str(row.outages),
                    duration(row.downtime_seconds) if row.outages else "—",
                    percent(row.availability, 2),
                ]
                for row in report.availability
            ],
            (60, 45, 20, 27, 28),
            numeric=3,
        )
    else:
        pdf.paragraph(_("No services."))

    pdf.heading(_("Time to respond and to restore"))
    time_rows = []
    for target, times in report.durations.items():
        time_rows.append(
            [
                short_target(target),
                _("business time"),
                str(times.business_count),
                duration(times.business_mean),
                duration(times.business_median),
                duration(times.business_p90),
            ]
        )
        time_rows.append(
            [
                short_target(target),
                _("wall-clock time"),
                str(times.count),
                duration(times.mean),
                duration(times.median),
                duration(times.p90),
            ]
        )
    pdf.grid(
        [_("Target"), _("Measured in"), _("Tickets"), _("Mean"), _("Median"), _("90th percentile")],
        time_rows,
        (30, 35, 20, 30, 30, 35),
        numeric=4,
    )

    pdf.heading(_("Breaches"))
    if report.breaches:
        pdf.grid(
            [_("Ticket"), _("Target"), _("Due"), _("Met")],
            [
                [
                    f"{c['number']}\n{c['subject']}",
                    short_target(c["target"]),
                    when(c["due_at"]),
                    when(c["met_at"]) if c["met_at"] else _("not yet"),
                ]
                for c in report.breaches[:BREACH_ROWS]
            ],
            (80, 30, 35, 35),
            numeric=0,
        )
    else:
        pdf.paragraph(_("No target was breached in this month."))

    pdf.heading(_("Customer satisfaction"))
    csat = figures.csat
    responses = ngettext("%(responses)s response", "%(responses)s responses", csat["responses"]) % {
        "responses": csat["responses"]
    }
    average = csat["average"]
    pdf.paragraph(f"{number_format(average)} · {responses}" if average is not None else responses)
    return bytes(pdf.output())
