from django.contrib.auth.decorators import login_required, permission_required


def page_permission_required(*perms):
    """For page views: anonymous users go to the sign-in page; signed-in users without the permission get 403.

    (Class-based views get the same from PermissionRequiredMixin, which does this by default.)
    """

    def decorator(view):
        return login_required(permission_required(perms, raise_exception=True)(view))

    return decorator
