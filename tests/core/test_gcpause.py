"""Bulk work pauses the cyclic collector; overlapping holders give it back once, as it was."""

from __future__ import annotations

import gc

import pytest

from pycore import gcpause


@pytest.fixture(autouse=True)
def collector_restored():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_off_while_any_holder_runs_and_back_after_the_last():
    gc.enable()
    first, second = gcpause.paused(), gcpause.paused()
    first.__enter__()
    second.__enter__()  # an export parsed while an import runs
    first.__exit__(None, None, None)  # the holders end in another order than they began
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_an_error_inside_gives_the_collector_back():
    gc.enable()
    with pytest.raises(ValueError), gcpause.paused():
        raise ValueError("bad row")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with gcpause.paused():
        pass
    assert not gc.isenabled()
