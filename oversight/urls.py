from django.urls import path

from oversight import dashboard, report, rollups

app_name = "oversight"

urlpatterns = [
    path("", dashboard.view, name="dashboard"),
    path("departments/", rollups.departments_view, name="departments"),
    path("rollups/<slug:dimension>/", rollups.rollup_view, name="rollup"),
    path("report/<str:month>/", report.view, name="report"),
]
