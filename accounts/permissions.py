"""API permissions: Django model permissions for every method, reads included."""

from rest_framework.permissions import BasePermission, DjangoModelPermissions


class RoleModelPermissions(DjangoModelPermissions):
    """Like DjangoModelPermissions, but reading also needs the `view_` permission.

    Roles are Django groups (accounts.roles), so an auditor without `cases.view_case` gets 403 on
    the cases API rather than a list of cases.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


def requires(*perms):
    """A permission class for one view or action: authenticated, with every named permission."""

    class Requires(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perms(perms))

    Requires.__name__ = f"Requires({', '.join(perms)})"
    return Requires
