import pytest

from tests.rules.helpers import make_mapping


@pytest.fixture
def mapping(db, case_type):
    return make_mapping(case_type=case_type)
