"""A text's length and fragments as Notify counts them (notifications-utils' rules), before it is sent."""

import pytest

from mappings.sms_length import sms_length


@pytest.mark.parametrize(("text", "characters", "fragments"), [
    ("Hello", 5, 1),
    ("a" * 160, 160, 1),
    ("a" * 161, 161, 2),  # 153 a fragment once there are two
    ("a" * 306, 306, 2),
    ("a" * 307, 307, 3),
    ("{" * 80, 80, 1),  # ^{}\[~]|€ count twice: 160
    ("{" * 81, 81, 2),
    ("Diolch yn fawr ŵ" + "a" * 54, 70, 1),  # a Welsh letter outside GSM-7: UCS-2, 70 in one
    ("ŵ" * 71, 71, 2),
    ("Café – “yes”…", 15, 1),  # downgraded: é→e, en dash→-, curly quotes→", …→...
])
def test_length_and_fragments_are_counted_as_notify_counts_them(text, characters, fragments):
    length = sms_length(text)
    assert (length.characters, length.fragments) == (characters, fragments)


def test_characters_notify_cannot_send_are_named_and_count_as_one():
    length = sms_length("👍🏽 yes 中")
    assert length.replaced == ("👍", "🏽", "中")
    assert length.characters == len("?? yes ?")
    assert "Notify will send 👍 🏽 中 as ?" in length.describe()


def test_over_918_characters_is_too_long_for_notify():
    assert sms_length("x" * 918).too_long is False
    assert sms_length("x" * 919).too_long is True
