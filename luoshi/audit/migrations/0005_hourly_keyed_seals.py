"""Key the audit log (issue 16, point 5): every existing record is re-signed once under the
current audit key, and the unkeyed daily seals are replaced by hourly keyed ones.

A record whose plain SHA-256 no longer matches its content was changed before the key existed:
it is left as it is, so `verify_audit` keeps reporting it, never laundered into a valid
signature. The hourly seals of the re-signed records are written by the next `seal_audit`.
"""

import sys

from django.db import migrations, models

import luoshi.audit.keys
import luoshi.lib.clock
from luoshi.audit.keys import signing_key
from luoshi.audit.models import digest_of, unkeyed_digest_of


def resign_existing_records(apps, schema_editor):
    AuditRecord = apps.get_model("audit", "AuditRecord")
    AuditSeal = apps.get_model("audit", "AuditSeal")
    if not AuditRecord.objects.exists():
        return
    key_id, key = signing_key()
    signed, changed, batch = 0, [], []
    for record in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        if record.digest and record.digest != unkeyed_digest_of(record):
            changed.append(record.pk)
            continue
        record.digest, record.key_id = digest_of(record, key), key_id
        batch.append(record)
        if len(batch) == 2000:
            AuditRecord.objects.bulk_update(batch, ["digest", "key_id"])
            signed, batch = signed + len(batch), []
    AuditRecord.objects.bulk_update(batch, ["digest", "key_id"])
    signed += len(batch)
    sys.stdout.write(
        f"\n  Audit log re-sealed once under audit key {key_id}: {signed} records re-signed, "
        f"{AuditSeal.objects.count()} unkeyed daily seals replaced; `seal_audit` writes their "
        "hourly seals.\n"
    )
    if changed:
        sys.stdout.write(
            f"  {len(changed)} records had been changed before and were left unsigned "
            f"(verify_audit reports them): #{', #'.join(map(str, changed[:20]))}\n"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_defaults_from_the_clock"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditrecord",
            name="key_id",
            field=models.CharField(
                default=luoshi.audit.keys.current_key_id,
                editable=False,
                max_length=8,
                verbose_name="key",
            ),
        ),
        migrations.RunPython(resign_existing_records, migrations.RunPython.noop),
        migrations.DeleteModel(name="AuditSeal"),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateTimeField(unique=True, verbose_name="hour")),
                ("count", models.PositiveIntegerField(verbose_name="records")),
                ("first_id", models.BigIntegerField(verbose_name="first record")),
                ("last_id", models.BigIntegerField(verbose_name="last record")),
                ("key_id", models.CharField(max_length=8, verbose_name="key")),
                ("digest", models.CharField(max_length=64, verbose_name="digest")),
                (
                    "sealed_at",
                    models.DateTimeField(default=luoshi.lib.clock.now, verbose_name="sealed at"),
                ),
            ],
            options={
                "verbose_name": "audit seal",
                "verbose_name_plural": "audit seals",
                "ordering": ["start"],
            },
        ),
    ]
