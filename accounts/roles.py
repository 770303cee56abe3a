"""The three roles and what each may do: one matrix, applied to Django groups after every migrate.

Permissions are named `app_label.codename`; `app_label.*` means every permission of that app.
Permissions of apps that are not installed yet are skipped, so the matrix can name them ahead.
"""

from django.contrib.auth.models import Group, Permission

ADMINISTRATORS = "Administrators"
CASEWORKERS = "Caseworkers"
AUDITORS = "Auditors"
ROLES = (ADMINISTRATORS, CASEWORKERS, AUDITORS)

ROLE_PERMISSIONS = {
    ADMINISTRATORS: [
        "cases.*",
        "integrations.*",
        "mappings.*",
        "rules.*",
        "inbox.*",
        "documents.*",
        "governance.*",
    ],
    CASEWORKERS: [
        "cases.view_casetype",
        "cases.view_case",
        "cases.add_case",
        "cases.change_case",
        "cases.view_person",
        "cases.add_person",
        "cases.change_person",
        "cases.view_address",
        "cases.add_address",
        "cases.change_address",
        "rules.view_rule",
        "rules.run_rules",
        "integrations.view_case_log",
        "inbox.view_receivedtext",
        "inbox.handle_receivedtext",
        "documents.view_document",
        "documents.add_document",
        "documents.delete_document",
    ],
    AUDITORS: [
        "integrations.view_logentry",
        "integrations.view_attempt",
        "integrations.export_logentry",
        "inbox.view_receivedtext",
        "governance.view_history",
        "governance.view_retentionpolicy",
    ],
}


def permissions_for(names):
    """Return the Permission objects that the names (with `app.*` wildcards) stand for."""
    query = Permission.objects.select_related("content_type")
    found = []
    for name in names:
        app_label, codename = name.split(".", 1)
        if codename == "*":
            found.extend(query.filter(content_type__app_label=app_label))
        else:
            found.extend(query.filter(content_type__app_label=app_label, codename=codename))
    return found


def sync_role_permissions(**kwargs):
    """Create the role groups if needed and give each exactly the permissions of the matrix."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions_for(names))


def user_roles(user):
    """The names of the roles the user holds (a superuser counts as an administrator)."""
    if not user.is_authenticated:
        return set()
    roles = {g.name for g in user.groups.all() if g.name in ROLES}
    if user.is_superuser:
        roles.add(ADMINISTRATORS)
    return roles
