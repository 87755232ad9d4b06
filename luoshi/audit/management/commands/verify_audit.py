from django.core.management.base import BaseCommand, CommandError

from luoshi.audit.models import AuditRecord, AuditSeal
from luoshi.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check that no audit record was changed, removed or added after sealing."

    def handle(self, *args, **options):
        problems = verify_chain()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"审计日志校验失败：发现 {len(problems)} 处问题。")
        self.stdout.write(
            f"审计日志完整：{AuditRecord.objects.count()} 条记录，"
            f"{AuditSeal.objects.count()} 天已封存。"
        )
