from django.urls import path

from core import views

app_name = "exports"

urlpatterns = [
    path("", views.export_list, name="list"),
    path("<int:pk>/download/", views.export_download, name="download"),
]
