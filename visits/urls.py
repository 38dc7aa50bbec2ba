from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("mine/", views.my_enterprise, name="my_enterprise"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/files/", views.visit_files_add_view, name="visit_files_add"),
    path("visits/files/<int:pk>/", views.visit_file, name="visit_file"),
    path("visits/files/<int:pk>/thumbnail/", views.visit_file_thumbnail, name="visit_file_thumbnail"),
    path("visits/files/<int:pk>/remove/", views.visit_file_remove_view, name="visit_file_remove"),
    path("errands/", views.errand_list, name="errand_list"),
    path("errands/new/", views.errand_new, name="errand_new"),
    path("errands/<int:pk>/", views.errand_detail, name="errand_detail"),
    path("compliance/", views.compliance_grid, name="compliance"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/attachment/", views.policy_attachment, name="policy_attachment"),
    path("exports/visits.xlsx", views.visit_export, name="visit_export"),
]
