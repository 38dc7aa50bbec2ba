from django.urls import path

from issues import views

app_name = "issues"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.ledger_export, name="ledger_export"),
    path("report/", views.report, name="report"),
    path("inbox/", views.inbox, name="inbox"),
    path("review/", views.review, name="review"),
    path("matters/new/", views.matter_new, name="matter_new"),
    path("matters/<int:pk>/", views.matter, name="matter"),
    path("matters/<int:pk>/decide/", views.matter_decide_view, name="matter_decide"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
