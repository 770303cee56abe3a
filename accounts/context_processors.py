from .roles import ADMINISTRATORS, AUDITORS, CASEWORKERS, user_roles


def roles(request):
    """Expose the user's roles to templates, for navigation."""
    held = user_roles(request.user) if hasattr(request, "user") else set()
    return {
        "is_administrator": ADMINISTRATORS in held,
        "is_caseworker": CASEWORKERS in held,
        "is_auditor": AUDITORS in held,
    }
