from django.urls import path

from cadres import views

app_name = "cadres"

urlpatterns = [
    path("exports/visits.xlsx", views.visit_export, name="visit_export"),
]
