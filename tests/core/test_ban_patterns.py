from pycore.connection.service import ban_code


def test_the_sending_too_much_banner_is_a_ban_signal_in_both_languages():
    assert ban_code("You are sending too many messages") == "too_many_messages"
    assert ban_code("Você está enviando mensagens demais") == "too_many_messages"
    assert ban_code("Computador não conectado") is None
