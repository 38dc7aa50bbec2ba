"""The assessment's weights and rating values, which the campaign office edits; frozen years, which it reads.

The office holds change and view permissions on the weights and rating values, and view on the freezes
(assessment/migrations/0002_default_weights.py): it cannot add or delete a measure or a rating, only say
what each is worth. Every change is kept in the history (simple-history). A freeze is made and unmade on
the year page by the leading group, never here.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessment.models import Freeze, RatingValue, Weight


@admin.register(Weight)
class WeightAdmin(SimpleHistoryAdmin):
    list_display = ["subject", "measure", "points"]
    list_display_links = ["measure"]
    list_filter = ["subject"]
    readonly_fields = ["subject", "measure"]
    fieldsets = [
        (
            None,
            {
                "fields": ["subject", "measure", "points"],
                "description": _(
                    "A score is the sum of its measures' points: each measure earns its weight times its attainment"
                    " (0 to 100%), and its full weight when there is nothing to judge. A weight of 0 leaves the"
                    " measure out. A frozen year keeps the weights it was frozen with; the others change at once."
                    " docs/assessment.md explains every measure."
                ),
            },
        )
    ]

    def has_add_permission(self, request, obj=None):
        return False  # the measures are the rules' (assessment/rules.py); only their worth is edited

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RatingValue)
class RatingValueAdmin(SimpleHistoryAdmin):
    list_display = ["rating", "percent"]
    readonly_fields = ["rating"]
    fieldsets = [
        (
            None,
            {
                "fields": ["rating", "percent"],
                "description": _(
                    "What share of the inspection measure's points an inspection with this rating earns, in per"
                    " cent: the measure's attainment is the mean over the year's inspections. A frozen year keeps"
                    " the values it was frozen with."
                ),
            },
        )
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Freeze)
class FreezeAdmin(admin.ModelAdmin):
    list_display = ["year", "frozen_by", "frozen_at", "unfrozen_by", "unfrozen_at"]
    list_filter = ["year"]

    def has_add_permission(self, request, obj=None):
        return False  # frozen and unfrozen by the leading group on the year page (assessment/services.py)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
