"""The campaign office's permissions come from a migration, so a fresh install has them."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from core.roles import Role

pytestmark = pytest.mark.django_db

OFFICE_MIGRATION = importlib.import_module("core.migrations.0002_office_permissions")

# What the office may do in the admin, model by model (core/migrations/0002_office_permissions.py).
OFFICE_MAY = {
    "auth.user": {"add", "change", "view"},
    "enterprises.enterprise": {"add", "change", "view"},
    "organisation.department": {"add", "change", "view"},
    "organisation.departmentstaff": {"add", "change", "view"},
    "organisation.cadre": {"add", "change", "view"},
    "organisation.pairing": {"add", "change", "view"},
    "visits.policy": {"add", "change", "view"},
    "visits.policysector": {"add", "change", "delete", "view"},
    "issues.issuecategory": {"add", "change", "view"},
}
# Granted by later migrations of their own apps (core/permissions.py), so core's reverse leaves them.
LATER = {
    # assessment/migrations/0002_default_weights.py: the office says what each measure and rating is worth.
    "assessment.weight": {"change", "view"},
    "assessment.ratingvalue": {"change", "view"},
    "assessment.freeze": {"view"},
    # core/migrations/0005_calendar_office_permissions.py: the office enters next year's holidays.
    "core.calendarday": {"add", "change", "delete", "view"},
    # enterprises/migrations/0003_link_office_permissions.py: the office sees and revokes enterprises' links.
    "enterprises.enterpriselink": {"change", "view"},
}
# Models in the admin that only a superuser handles there: they change through the portal's own pages
# and services (problems, visits, errands, reminders), or they are the permissions themselves (groups).
SUPERUSER_ONLY = {
    "auth.group",
    "issues.issue",
    "visits.visit",
    "visits.errand",
    "notifications.reminder",
    "supervision.inspection",
    "supervision.rectification",
    "notifications.notification",
    "core.exportjob",  # the exports written in the background: a failed one's error, for whoever runs the servers
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
}


def _office_permissions() -> dict[str, set[str]]:
    granted: dict[str, set[str]] = {}
    group = Group.objects.get(name=Role.CAMPAIGN_OFFICE)
    for app_label, model, codename in group.permissions.values_list(
        "content_type__app_label", "content_type__model", "codename"
    ):
        granted.setdefault(f"{app_label}.{model}", set()).add(codename.removesuffix(f"_{model}"))
    return granted


def _log_in(client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": "secret-pass-123"})
    assert response.status_code == 302, "the login was refused"


def test_a_fresh_install_gives_the_office_exactly_what_it_needs():
    assert _office_permissions() == OFFICE_MAY | LATER


def test_running_the_grant_again_changes_nothing():
    editor = SimpleNamespace(connection=connection)
    OFFICE_MIGRATION.grant(apps, editor)
    OFFICE_MIGRATION.grant(apps, editor)
    assert _office_permissions() == OFFICE_MAY  # core's grant is exactly its own list


def test_the_grant_takes_back_what_the_office_should_not_have():
    from django.contrib.auth.models import Permission

    group = Group.objects.get(name=Role.CAMPAIGN_OFFICE)
    group.permissions.add(Permission.objects.get(codename="change_group"))
    OFFICE_MIGRATION.grant(apps, SimpleNamespace(connection=connection))
    assert _office_permissions() == OFFICE_MAY


def test_its_reverse_takes_the_permissions_away():
    OFFICE_MIGRATION.revoke(apps, SimpleNamespace(connection=connection))
    assert _office_permissions() == LATER  # the later migrations' own reverses take theirs


def test_every_model_in_the_admin_is_either_the_offices_or_a_superusers():
    """A model newly in the admin needs a decision: a migration granting the office, or this list."""
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered - OFFICE_MAY.keys() - LATER.keys() - SUPERUSER_ONLY == set()


def test_the_clerk_manages_the_campaigns_records_after_a_real_login(client, clerk):
    _log_in(client, "judy")
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    listed = {m["object_name"].lower() for app in index.context["app_list"] for m in app["models"]}
    offices = {key.split(".")[1] for key in [*OFFICE_MAY, *LATER]}
    assert listed == offices - {"policysector"}  # sectors are the policy's inline
    for name in ("enterprises_enterprise", "organisation_pairing", "organisation_departmentstaff", "auth_user"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:{name}_add")).status_code == 200


@pytest.mark.parametrize("name", ["auth_group", "issues_issue", "visits_visit", "notifications_reminder"])
def test_the_clerk_cannot_open_what_changes_elsewhere(client, clerk, name):
    _log_in(client, "judy")
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403
