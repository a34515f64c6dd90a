"""Phone numbers as spreadsheets write them -> E.164; the ninth digit of Brazilian mobiles."""

import pytest

from pycore.crm import phone
from pycore.crm.texts import Invalid


@pytest.mark.parametrize(
    "written",
    ["(37) 99922-7293", "37 99922-7293", "37999227293", "+55 37 99922-7293", "+55 (37) 99922-7293", "5537999227293",
     "55 37 99922 7293", "+55.37.99922.7293", "0 37 99922-7293", "0 21 37 99922-7293", "0055 37 99922-7293",
     "  +55 37 99922-7293  ",
     # without the ninth digit (old spreadsheets, and WhatsApp ids of older accounts)
     "(37) 9922-7293", "37 9922-7293", "+55 37 9922-7293", "553799227293", "0 37 9922-7293"],
)
def test_every_way_of_writing_a_mobile_is_one_e164_with_the_ninth_digit(written):
    p = phone.normalize(written)
    assert p.e164 == "+5537999227293"
    assert p.match == "5537999227293"
    assert p.jids() == ["5537999227293@c.us", "553799227293@c.us"]


@pytest.mark.parametrize(
    "written, e164",
    [("(11) 3456-7890", "+551134567890"), ("+55 11 3456 7890", "+551134567890"),  # landlines keep 8 digits
     ("(21) 98765-4321", "+5521987654321"), ("21 8765-4321", "+5521987654321"),  # 8xxx mobile -> 98xxx
     ("+1 (415) 555-0100", "+14155550100"), ("+351 912 345 678", "+351912345678"),
     ("0044 20 7946 0958", "+442079460958")],
)
def test_landlines_mobiles_and_other_countries(written, e164):
    assert phone.normalize(written).e164 == e164


def test_a_landline_never_gets_a_ninth_digit_and_matches_only_itself():
    land = phone.normalize("(11) 3456-7890")
    assert land.jids() == ["551134567890@c.us"]
    mobile = phone.normalize("(11) 93456-7890")
    assert land.match != mobile.match
    assert mobile.jids() == ["5511934567890@c.us"]  # its 9-less form would be the landline's id


@pytest.mark.parametrize(
    "written, reason",
    [("", "bad_phone"), ("abc", "bad_phone"), ("ligar depois", "bad_phone"), ("99922-7293", "phone_needs_area_code"),
     ("(20) 99922-7293", "bad_area_code"), ("(37) 89922-72931", "bad_phone"), ("(37) 19922-7293", "bad_phone"),
     ("+55 37 1922-7293", "bad_phone"), ("123", "bad_phone"), ("+0 12345678", "bad_phone")],
)
def test_what_is_not_a_phone_number_says_why_in_both_languages(written, reason):
    with pytest.raises(Invalid) as caught:
        phone.normalize(written)
    assert caught.value.reason == reason
    t = caught.value.texts()
    assert t["pt_BR"] and t["en"] and t["pt_BR"] != t["en"]


def test_the_phone_of_a_chat_key():
    assert phone.of_chat("553799227293@c.us").e164 == "+5537999227293"
    assert phone.of_chat("5511987654321@c.us").display() == "+55 11 98765-4321"
    assert phone.of_chat("120363025246125486@g.us") is None
    assert phone.of_chat("189025889575055@lid") is None
    assert phone.of_chat("title:Ana Souza") is None
    assert phone.chat_of(phone.normalize("37 9922-7293")) == "5537999227293@c.us"
