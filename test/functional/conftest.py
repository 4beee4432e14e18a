"""
Helpers of the functional tier: the formula's module types through Salt's real loader in this
process (the ``formula_loader`` and ``loader_mods`` fixtures of test/conftest.py) against real
services (test/fixtures/).
"""

import os
import subprocess

import pytest


@pytest.fixture
def no_process(monkeypatch):
    """``no_process()`` makes any process start fail the test from then on;
    ``no_process(patched)`` does the same within the ``monkeypatch.context()`` ``patched``."""

    def refuse_processes(patcher=monkeypatch):
        def refuse(*args, **kwargs):
            raise AssertionError(f"a process was started: {args!r}")

        patcher.setattr(subprocess, "Popen", refuse)
        patcher.setattr(os, "fork", refuse)

    return refuse_processes
