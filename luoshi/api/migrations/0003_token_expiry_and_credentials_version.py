"""Tokens expire and end with their user's credentials (issue 16).

Tokens issued before get 90 days from their creation and the credentials version their user has
now, so that they keep working until then, or until the user's next new password."""

import datetime

from django.db import migrations, models

DAYS = 90


def fill(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.select_related("user"):
        token.expires_at = token.created_at + datetime.timedelta(days=DAYS)
        token.credentials_version = token.user.credentials_version
        token.save(update_fields=["expires_at", "credentials_version"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_defaults_from_the_clock"),
        ("orgs", "0004_credentials_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="credentials_version",
            field=models.PositiveIntegerField(null=True, verbose_name="credentials version"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="credentials_version",
            field=models.PositiveIntegerField(verbose_name="credentials version"),
        ),
    ]
