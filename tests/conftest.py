"""Fixtures shared by the whole suite. Tests run on real PostgreSQL (see config/settings/test.py)."""

import pytest
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture
def admin(db):
    return factories.admin_user()


@pytest.fixture
def caseworker(db):
    return factories.caseworker_user()


@pytest.fixture
def auditor(db):
    return factories.auditor_user()


@pytest.fixture
def case_type(db):
    return factories.planning_case_type()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient authenticated as that user (session-less, forced)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
