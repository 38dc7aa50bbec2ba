"""The default weights and rating values (docs/assessment.md), and the office's right to edit them."""

from decimal import Decimal

from django.db import migrations

from core.permissions import grant_office_permissions, revoke_office_permissions

WEIGHTS = {
    "cadre": {
        "compliance": 30,
        "response": 15,
        "on_time": 10,
        "satisfaction": 10,
        "returns_reopened": 10,
        "inspections": 15,
        "rectification": 10,
    },
    "department": {
        "response": 25,
        "on_time": 25,
        "satisfaction": 15,
        "returns_reopened": 10,
        "inspections": 15,
        "rectification": 10,
    },
}
RATINGS = {"good": 100, "fairly_good": 85, "average": 70, "poor": 40}
PERMISSIONS = {
    "assessment.weight": ("change", "view"),
    "assessment.ratingvalue": ("change", "view"),
    "assessment.freeze": ("view",),
}


def add(apps, schema_editor):
    weight = apps.get_model("assessment", "Weight")
    rating = apps.get_model("assessment", "RatingValue")
    for subject, measures in WEIGHTS.items():
        for measure, points in measures.items():
            weight.objects.get_or_create(subject=subject, measure=measure, defaults={"points": Decimal(points)})
    for key, percent in RATINGS.items():
        rating.objects.get_or_create(rating=key, defaults={"percent": percent})
    grant_office_permissions(apps, schema_editor, PERMISSIONS)


def remove(apps, schema_editor):
    apps.get_model("assessment", "Weight").objects.all().delete()
    apps.get_model("assessment", "RatingValue").objects.all().delete()
    revoke_office_permissions(apps, schema_editor, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_initial"),
        ("core", "0003_submission"),
    ]

    operations = [migrations.RunPython(add, remove)]
