"""The tests' `sovai` launcher (tests/cli/preloaded.py) behaves as the `sovai` script started as a
process of its own: same output, exit code and environment; it steps aside when it cannot."""

import os
import subprocess
import sys

import pytest

from tests.cli.preloaded import LAUNCHER, Launcher
from tests.cli.runner import PROJECT_ROOT, SOVAI, private_env, sovai


@pytest.fixture(scope="module")
def launcher():
    launcher = Launcher(real_processes_asked=False)  # tested whatever the suite's setting
    yield launcher
    launcher.stop()


def outcome(result: subprocess.CompletedProcess) -> tuple:
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["sql", "--format", "xml", "select 1"],  # a usage error: 2
        ["sql", "select * from analytics.platform_efficiency"],  # no warehouse yet: 1
        ["validate"],
    ],
)
def test_a_command_prints_and_exits_as_the_script_does(launcher, args, tmp_path):
    env = {**os.environ, **private_env(tmp_path)}
    forked = launcher.run([str(SOVAI), *args], env, PROJECT_ROOT, timeout=120)
    assert forked is not None, launcher.unavailable
    assert outcome(forked) == outcome(sovai(*args, env=env, own_process=True))


def test_each_command_gets_its_own_environment(launcher, tmp_path):
    for name in ("one", "two"):
        env = {**os.environ, "SOVAI_WAREHOUSE": str(tmp_path / name / "warehouse.duckdb")}
        result = launcher.run([str(SOVAI), "tables"], env, PROJECT_ROOT, timeout=120)
        assert result.returncode == 1
        assert str(tmp_path / name / "warehouse.duckdb") in result.stderr


def test_what_the_interpreter_reads_as_it_starts_gets_a_process_of_its_own(launcher):
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    assert launcher.run([str(SOVAI), "--help"], env, PROJECT_ROOT, timeout=120) is None


def test_a_command_past_its_timeout_is_killed_and_the_launcher_goes_on(launcher, tmp_path):
    env = {**os.environ, **private_env(tmp_path)}
    with pytest.raises(subprocess.TimeoutExpired):
        launcher.run([str(SOVAI), "run"], env, PROJECT_ROOT, timeout=0.5)
    after = launcher.run([str(SOVAI), "--help"], env, PROJECT_ROOT, timeout=120)
    assert after.returncode == 0


def test_the_suite_starts_its_commands_through_the_launcher(tmp_path):
    """A launcher that stepped aside would leave every test passing and the suite twice as slow;
    this says why instead (unless real processes were asked for)."""
    assert sovai("--help", env=private_env(tmp_path)).returncode == 0
    if LAUNCHER.unavailable != "SOVAI_TEST_REAL_PROCESSES=1":
        assert LAUNCHER.unavailable is None


def test_two_answers_arriving_together_are_both_read():
    """A command that ends at once: its pid and its exit code reach the pipe in one write, and the
    launcher stays (its pipe open) for the next command."""
    answers = 'import time; print(\'{"pid": 7}\\n{"returncode": 2}\', flush=True); time.sleep(60)'
    reader = Launcher()
    reader._process = subprocess.Popen([sys.executable, "-c", answers], stdout=subprocess.PIPE)
    try:
        assert reader._read(timeout=30) == {"pid": 7}
        assert reader._read(timeout=5) == {"returncode": 2}
    finally:
        reader._process.kill()
        reader._process.wait()
