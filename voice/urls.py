"""The enterprise's pages through its link (/e/<token>/…), and the staff's page for that link (/voice/…)."""

from django.urls import path

from voice import views

app_name = "voice"

urlpatterns = [
    path("e/<str:token>/", views.home, name="home"),
]
