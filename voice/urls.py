"""The enterprise's pages through its link (/e/<token>/…), and the staff's page for that link (/voice/…)."""

from django.urls import path

from voice import views

app_name = "voice"

urlpatterns = [
    path("e/<str:token>/", views.home, name="home"),
    path("e/<str:token>/visits/<int:visit_id>/", views.visit_answer_view, name="visit_answer"),
    path("e/<str:token>/problems/<int:issue_id>/", views.problem, name="problem"),
    path("e/<str:token>/problems/<int:issue_id>/rate/", views.rate, name="rate"),
    path("e/<str:token>/request/", views.request_new, name="request"),
    path("voice/enterprises/<int:enterprise_id>/", views.link_manage, name="manage"),
    path("voice/enterprises/<int:enterprise_id>/new/", views.link_new, name="issue"),
    path("voice/enterprises/<int:enterprise_id>/revoke/", views.link_withdraw, name="revoke"),
    path("voice/enterprises/<int:enterprise_id>/card/", views.card, name="card"),
]
