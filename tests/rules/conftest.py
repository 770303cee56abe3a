import pytest

from tests.rules.helpers import make_mapping


@pytest.fixture
def mapping(db):
    return make_mapping()
