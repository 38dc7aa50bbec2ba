from django.db import migrations

# The campaign office may edit these later; these are the ones every district starts with.
CATEGORIES = [
    ("approvals", "审批许可", 10),
    ("land", "土地规划", 20),
    ("financing", "融资贷款", 30),
    ("labour", "用工招工", 40),
    ("utilities", "水电气路", 50),
    ("policy", "政策兑现", 60),
    ("market", "市场销售", 70),
    ("other", "其他", 90),
]


def create_categories(apps, schema_editor):
    IssueCategory = apps.get_model("issues", "IssueCategory")
    for code, name, order in CATEGORIES:
        IssueCategory.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("issues", "0001_initial")]

    operations = [migrations.RunPython(create_categories, migrations.RunPython.noop)]
