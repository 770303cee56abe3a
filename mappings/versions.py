"""Versions of settings: the id of an object's latest change-history record (django-simple-history, governance/).

A log entry keeps the versions of the rule and mapping template it was built from, so an auditor can see exactly
what a message came from."""


def version_of(obj):
    """The id of the object's latest history record (its version), kept on the loaded object so that a bulk apply
    asks once. An object saved before history was kept gets its first record now."""
    cached = getattr(obj, "_version", None)
    if cached is None:
        cached = obj.history.order_by("-history_id").values_list("history_id", flat=True).first()
        if cached is None:
            cached = obj.history.bulk_history_create([obj])[0].history_id
        obj._version = cached
    return cached
