from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_view, name="year"),
    path("<int:year>/cadre/<int:pk>/", views.cadre, name="cadre"),
    path("<int:year>/department/<int:pk>/", views.department, name="department"),
    path("<int:year>/freeze/", views.freeze, name="freeze"),
    path("<int:year>/unfreeze/", views.unfreeze, name="unfreeze"),
    path("<int:year>/compare/", views.compare, name="compare"),
]
