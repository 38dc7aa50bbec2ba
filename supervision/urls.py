from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("new/", views.inspection_new, name="inspection_new"),
    path("<int:pk>/", views.inspection, name="inspection"),
    path("<int:pk>/items/new/", views.item_new, name="item_new"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/answer/", views.item_answer_view, name="item_answer"),
    path("items/<int:pk>/check/", views.item_check_view, name="item_check"),
    path("files/<int:pk>/", views.file, name="file"),
]
