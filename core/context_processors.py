from django.http import HttpRequest

from core.roles import Role, roles_of


def roles(request: HttpRequest) -> dict[str, object]:
    """Expose the user's roles to templates, for navigation only; views decide access."""
    held = roles_of(request.user)
    return {
        "portal_roles": held,
        "is_cadre": Role.CADRE in held,
        "is_department_staff": Role.DEPARTMENT_STAFF in held,
        "is_leading_group": Role.LEADING_GROUP in held,
        "is_campaign_office": Role.CAMPAIGN_OFFICE in held,
    }
