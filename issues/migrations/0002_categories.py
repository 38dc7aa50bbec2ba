from django.db import migrations

# The campaign office may edit these later (admin); these are the ones every district starts with,
# with the days an assigned department gets by default.
CATEGORIES = [
    ("approvals", "审批许可", 10, 15),
    ("land", "土地规划", 20, 30),
    ("financing", "融资贷款", 30, 20),
    ("labour", "用工招工", 40, 15),
    ("utilities", "水电气路", 50, 20),
    ("policy", "政策兑现", 60, 15),
    ("market", "市场销售", 70, 20),
    ("other", "其他", 90, 15),
]


def create_categories(apps, schema_editor):
    IssueCategory = apps.get_model("issues", "IssueCategory")
    for code, name, order, days in CATEGORIES:
        IssueCategory.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order, "default_deadline_days": days}
        )


class Migration(migrations.Migration):
    dependencies = [("issues", "0001_initial")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
