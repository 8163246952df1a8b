"""PortalToken, taken over from eligibility (its table eligibility_portaltoken, created by
eligibility 0001, is adopted in the state and then renamed bhxh_portaltoken)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("eligibility", "0003_portaltoken_moves_to_bhxh")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PortalToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("base_url", models.CharField(max_length=255)),
                        ("username", models.CharField(max_length=64)),
                        ("access_token", models.CharField(max_length=255)),
                        ("id_token", models.CharField(max_length=255)),
                        ("expires_at", models.DateTimeField()),
                        ("obtained_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "eligibility_portaltoken",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("base_url", "username"), name="portal_token_account"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="portaltoken", table=None),
    ]
