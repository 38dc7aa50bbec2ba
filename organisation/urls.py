from django.urls import path

from organisation import views

app_name = "organisation"

urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("exports/", views.exports_page, name="exports"),
    path("exports/enterprises.xlsx", views.enterprise_export, name="export"),
]
