"""Every example of the README and of docs/*.md runs as printed, on a freshly built warehouse.

Each page's fenced `sh` blocks are run command by command, in order, by bash, as a person would
paste them from the project folder: in a scratch copy of the project's layout (the environment
and the code are the project's own, through symlinks; seeds, warehouse, landing folder and run
history are copies or new folders, and SOVAI_* point at them), so nothing of the project is
touched. Each page starts from a copy of the module's one built warehouse, which is what `make run`
leaves on a fresh clone. A command must exit 0 without a traceback and, where the page shows its
output, the shown header line must be in the real output (the header only: numbers, run ids and
times may change; the column names may not). `sql` blocks run statement by statement through
`sovai sql`. The commands that cannot run here are listed in NOT_RUN with the reason, and
checked with `make -n` (or `--help` for a sovai command).

Also: every `sovai sql "..."` and `sovai query NAME` of the pages returns rows, the README's
first screen gets a newcomer to a first answer, and every link between the pages resolves.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from tests.cli.runner import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
PAGES = {
    path.relative_to(PROJECT_ROOT).as_posix(): path.read_text(encoding="utf-8")
    for path in [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
}
ALL_TEXT = "\n".join(PAGES.values())
SQL = re.findall(r'^(?:\$ )?\.venv/bin/sovai sql "(.+)"$', ALL_TEXT, re.M)
SAVED = sorted(set(re.findall(r"^(?:\$ )?\.venv/bin/sovai query ([a-z0-9-]+)", ALL_TEXT, re.M)))

# Commands of the pages' shell blocks that are not run here, each with why. `make -n` checks
# that make would run a make command (the target exists, its prerequisites resolve); `--help`
# checks that a sovai command exists and takes its arguments.
NOT_RUN = {
    "make run": "builds the warehouse of the project folder and takes about a minute; the test "
    "builds its warehouse once with the same jobs (built_template) instead",
    "make test": "runs the whole suite, this test included",
    "make ui": "starts the Dagster UI, which runs until stopped (tests/e2e starts and drives it)",
    "make ui PORT=3001 HOST=0.0.0.0": "the same; `make -n` shows the port and host reach it",
    ".venv/bin/sovai restore": "the recovery from a damaged warehouse (docs/reliability.md): on "
    "a sound one it refuses by design, exit 1; tests/warehouse/test_damaged.py runs it, and the "
    "run after it, on a damaged file",
    ".venv/bin/sovai run": "the second step of that recovery: a whole rebuild, about a minute on "
    "2 cores; the same test runs it",
}
SHELL_LANGUAGES = {"sh", "shell", "bash", "console"}
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")


@dataclass
class Command:
    page: str
    line: int  # 1-based line of the page
    text: str
    shown: list[str] = field(default_factory=list)  # the output the page shows under it

    @property
    def key(self) -> str:
        """The command without its comment and with single spaces: how NOT_RUN names it."""
        return " ".join(shlex.split(self.text, comments=True))


def fenced_blocks(text: str) -> list[tuple[str, int, list[str]]]:
    """(language, line of the first content line, content lines) of each fenced block."""
    blocks, lines, index = [], text.splitlines(), 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, language, start = len(opening.group(1)), opening.group(2), index + 1
        end = start
        while end < len(lines) and not re.match(r"^\s*```\s*$", lines[end]):
            end += 1
        assert end < len(lines), f"a fenced block from line {index + 1} is never closed"
        blocks.append((language, start + 1, [line[indent:] for line in lines[start:end]]))
        index = end + 1
    return blocks


def shell_commands(page: str, start: int, lines: list[str]) -> list[Command]:
    """A block with `$ ` prompts: the prompted lines are commands and the lines under one, up to
    the next prompt (comments and trailing blank lines left out), are its output. A block
    without prompts: every line that is not blank or a comment is a command."""
    prompted = any(line.startswith("$ ") for line in lines)
    commands: list[Command] = []
    continued = False
    for offset, line in enumerate(lines):
        if continued:  # a line ending in a backslash goes on here
            commands[-1].text = commands[-1].text[:-1] + line
        elif prompted and line.startswith("$ "):
            commands.append(Command(page, start + offset, line[2:]))
        elif prompted and commands and not line.startswith("#"):
            commands[-1].shown.append(line)
        elif not prompted and line.strip() and not line.lstrip().startswith("#"):
            commands.append(Command(page, start + offset, line))
        continued = bool(commands) and commands[-1].text.endswith("\\")
    for command in commands:
        while command.shown and not command.shown[-1].strip():
            command.shown.pop()
    return commands


def sql_commands(page: str, start: int, lines: list[str]) -> list[Command]:
    """Each statement of an `sql` block, run as `sovai sql` runs one."""
    text = "\n".join(re.sub(r"--.*$", "", line) for line in lines)
    return [
        Command(page, start, f".venv/bin/sovai sql {shlex.quote(' '.join(statement.split()))}")
        for statement in text.split(";")
        if statement.strip()
    ]


def page_commands(page: str) -> list[Command]:
    commands = []
    for language, start, lines in fenced_blocks(PAGES[page]):
        if language in SHELL_LANGUAGES:
            commands += shell_commands(page, start, lines)
        elif language == "sql":
            commands += sql_commands(page, start, lines)
    return commands


COMMANDS = {page: page_commands(page) for page in PAGES}


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("│").split("│")]


def header_line(shown: list[str]) -> str | None:
    """The line a reader checks first: a table's column names, else the first line."""
    lines = [line for line in shown if line.strip()]
    if not lines:
        return None
    return lines[1] if lines[0].startswith("┌") and len(lines) > 1 else lines[0]


def output_shows(output: str, header: str) -> bool:
    if "│" in header:  # the same column names in the same order, whatever the widths
        return any(cells(line) == cells(header) for line in output.splitlines() if "│" in line)
    return header.strip() in (line.strip() for line in output.splitlines())


@pytest.fixture
def project(built_template: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A scratch copy of the project's layout as `make run` leaves it on a fresh clone, and the
    environment that points the `sovai` and `make` commands at it."""
    root = tmp_path / "project"
    root.mkdir()
    for name in (".tools", "Makefile", "pyproject.toml", "uv.lock", "sql", "scripts"):
        if (PROJECT_ROOT / name).exists():
            (root / name).symlink_to(PROJECT_ROOT / name)
    # The project's programs, with an install marker of the copy's own: a pyproject.toml newer
    # than the project's marker must not make `make sql` reinstall (uv sync) the environment
    # this test runs in, as a link to the whole .venv let it do.
    (root / ".venv").mkdir()
    (root / ".venv" / "bin").symlink_to(PROJECT_ROOT / ".venv" / "bin")
    (root / ".venv" / ".installed").touch()
    shutil.copytree(PROJECT_ROOT / "seeds", root / "seeds")
    shutil.copytree(built_template.parent, root / "warehouse")
    shutil.copyfile(PROJECT_ROOT / "dagster.yaml", root / "dagster.yaml")
    (root / "data" / "landing").mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("COLUMNS", "LINES", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
        and not key.startswith("SOVAI_")
    }
    env |= {
        "SOVAI_WAREHOUSE": str(root / "warehouse" / built_template.name),
        "SOVAI_SEEDS_DIR": str(root / "seeds"),
        "SOVAI_LANDING_DIR": str(root / "data" / "landing"),
        "DAGSTER_HOME": str(root),  # as the Makefile and `sovai` set it: the project folder
        "SOVAI_EXPECTATIONS": "off",  # tests/checks/test_expectations.py runs the GX suites
    }
    return root, env


def run_in(root: Path, env: dict[str, str], script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", script],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )


def problems_with(command: Command, result: subprocess.CompletedProcess) -> list[str]:
    where = f"{command.page}:{command.line}: {command.text[:100]}"
    output = result.stdout + result.stderr
    problems = []
    if result.returncode != 0:
        problems.append(f"{where}\n  exit {result.returncode}: {output[-2000:]}")
    if "Traceback" in output:
        problems.append(f"{where}\n  printed a traceback: {output[-2000:]}")
    header = header_line(command.shown)
    if header is not None and not output_shows(result.stdout, header):
        problems.append(
            f"{where}\n  the page shows {header!r}; it printed:\n{result.stdout[:2000]}"
        )
    return problems


@pytest.mark.parametrize("page", [page for page, commands in COMMANDS.items() if commands])
def test_the_examples_of_a_page_run_as_printed(page, project):
    root, env = project
    problems = []
    for command in COMMANDS[page]:
        if command.key in NOT_RUN:
            check = (
                f"make -n {command.key.removeprefix('make ')}"
                if command.key.startswith("make ")
                else f"{command.key} --help"
            )
            result = run_in(root, env, check)
            problems += problems_with(
                Command(page, command.line, f"{check} (not run: {command.key})"), result
            )
            continue
        problems += problems_with(command, run_in(root, env, command.text))
    assert not problems, "\n".join(problems)


def test_the_pages_have_examples_and_every_example_not_run_is_on_a_page():
    commands = {command.key for page in COMMANDS.values() for command in page}
    assert len(commands) >= 25, commands
    assert set(NOT_RUN) <= commands, set(NOT_RUN) - commands


def test_make_n_shows_the_port_and_host_reaching_make_ui(project):
    root, env = project
    result = run_in(root, env, "make -n ui PORT=3001 HOST=0.0.0.0")
    assert result.returncode == 0, result.stderr
    assert "3001" in result.stdout and "0.0.0.0" in result.stdout, result.stdout


def test_the_first_screen_gets_a_newcomer_to_a_first_answer():
    first_screen = "\n".join(README.splitlines()[:40])
    for needed in ("make run", "make test", "make ui", "PORT=", "HOST=", "make help"):
        assert needed in first_screen, needed
    first = next(command for command in COMMANDS["README.md"] if " query " in command.text)
    assert first.line <= 40 and first.shown, "the first query and its output are on screen one"
    assert re.search(r"^\.venv/bin/sovai (query|sql) ", first.text)


def test_make_help_lists_the_make_commands_the_pages_use():
    result = subprocess.run(
        ["make", "--no-print-directory", "-s", "help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")},
    )
    assert result.returncode == 0, result.stderr
    listed = set(re.findall(r"^\s+make (\w+)", result.stdout, re.M))
    used = set(re.findall(r"`make (?:-s )?(\w+)", ALL_TEXT)) | {
        command.key.split()[1]
        for page in COMMANDS.values()
        for command in page
        if command.key.startswith("make ")
    }
    assert used <= listed, used - listed


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_page_is_linked_from_the_readme_and_every_link_resolves():
    for page in PAGES:
        if page != "README.md":
            assert f"]({page})" in README, f"the README's table does not link {page}"
    for page, text in PAGES.items():
        folder = (PROJECT_ROOT / page).parent
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            path, _, anchor = target.partition("#")
            file = (folder / path).resolve() if path else PROJECT_ROOT / page
            assert file.exists(), f"{page} links {target}: no such file"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.M)
                assert anchor in {slug(h) for h in headings}, f"{page} links {target}: no heading"


def test_the_pages_show_queries():
    assert len(SQL) >= 6 and len(SAVED) >= 5


@pytest.mark.parametrize(
    "args",
    [["sql", "--format", "csv", text] for text in SQL]
    + [["query", "--format", "csv", name] for name in SAVED],
    ids=lambda args: args[-1][:60],
)
def test_a_query_of_the_pages_runs_and_returns_rows(built_template, args):
    result = CliRunner().invoke(main, args, env={"SOVAI_WAREHOUSE": str(built_template)})
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) >= 2, result.output  # a header and a row


def test_the_methods_page_exists_covers_each_rule_and_the_readme_links_it():
    methods = PAGES["docs/methods.md"]
    for heading in (
        "Compute platforms",
        "Market concentration",
        "Merger and shift scenarios",
        "Hardware concentration",
        "National AI policy",
        "Export-control screening",
        "MLPerf efficiency",
        "Where the article's formulas are wrong",
    ):
        assert f"## {heading}" in methods
    for rule in ("Note 2", "TF32", "applicable die area", "30%", "baseline", "price basis"):
        assert rule.lower() in methods.lower(), rule
    assert "(docs/methods.md)" in README
