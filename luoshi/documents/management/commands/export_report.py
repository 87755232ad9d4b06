"""manage.py export_report --plan ID --period 2022-10 --out FILE: the consolidated report."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from luoshi.documents.pdf import PdfUnavailable, docx_to_pdf
from luoshi.documents.report_docx import build_report_docx
from luoshi.documents.services import consolidated_report, default_options, find_period
from luoshi.plans.models import Plan


class Command(BaseCommand):
    help = "Write the consolidated report of a plan's period as .docx (or .pdf when OUT ends so)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True, help="plan id")
        parser.add_argument("--period", required=True, help="a month of the period: YYYY-MM")
        parser.add_argument("--out", required=True, help="file to write (.docx or .pdf)")
        parser.add_argument(
            "--include-submitted",
            action="store_true",
            help="also include submitted reports not yet accepted",
        )
        parser.add_argument("--doc-number", default="", help="issue as a document with this 文号")
        parser.add_argument("--addressee", help="主送机关 (default: the region's government)")
        parser.add_argument("--copy-to", help="抄送 (default: the plan's other issuers)")
        parser.add_argument("--date", help="成文日期 YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        plan = (
            Plan.objects.select_related("region", "coordinator").filter(pk=options["plan"]).first()
        )
        if plan is None:
            raise CommandError(_("There is no plan number %(id)s.") % {"id": options["plan"]})
        try:
            period = find_period(plan, options["period"])
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        choices = default_options(plan, day)
        choices.include_submitted = options["include_submitted"]
        if options["doc_number"]:
            choices.as_document, choices.doc_number = True, options["doc_number"]
        if options["addressee"] is not None:
            choices.addressee = options["addressee"]
        if options["copy_to"] is not None:
            choices.copy_to = options["copy_to"]
        period.plan = plan
        report = consolidated_report(None, period, choices)
        data = build_report_docx(report)
        out = Path(options["out"])
        if out.suffix.lower() == ".pdf":
            try:
                data = docx_to_pdf(data)
            except PdfUnavailable as error:
                raise CommandError(str(error)) from None
        out.write_bytes(data)
        figures = report.figures
        summary = _(
            "%(title)s (%(due)s due, %(on_time)s on time, %(late)s late, %(missing)s missing, "
            "%(included)s included)"
        ) % {
            "title": report.title,
            "due": figures.due,
            "on_time": figures.on_time,
            "late": figures.late,
            "missing": figures.missing,
            "included": figures.included,
        }
        self.stdout.write(f"{out}: {summary}")
