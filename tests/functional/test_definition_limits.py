"""YAML bombs reach three doors: `section17 surveys check`, the app's start-up (SURVEYS_DIR) and the checklist
importer. Each refuses them with a `file: where: problem` line, quickly, and never with a traceback.

The command-line tests run a real billion laughs (9 ** 10 values once expanded) in a child process limited to
1 GiB of address space, so that a regression fails the test instead of taking the machine's memory.
"""

from __future__ import annotations

import html
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.questionnaires.commands import surveys_group
from tests.support import SURVEYS, WebClient
from tests.unit.test_yaml_limits import laughs

ROOT = Path(__file__).resolve().parents[2]
SECTION17 = Path(sys.executable).with_name("section17")
EXAMPLE = ROOT / "docs" / "examples" / "checklist-example.csv"
BOMB_LINE = ("bomb.yaml: line 7, column 25: aliases (*name) here would make the file more than 250,000 values once "
             "each repeats its anchored block; use an anchor and aliases to share a block, not to multiply it")
DEEP_LINE = ("deep.yaml: line 1, column 51: lists and mappings are nested more than 50 levels deep here; "
             "a definition needs fewer than 10")


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3))


def _section17(tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run the section17 command in development mode; return the result and the seconds it took."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SECTION17_") and k != "DATABASE_URL"}
    environment.update({"DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite", **env})
    started = time.perf_counter()
    result = subprocess.run([str(SECTION17), *args], cwd=ROOT, env=environment, capture_output=True, text=True,
                            timeout=60, preexec_fn=_limit_memory)
    return result, time.perf_counter() - started


@pytest.fixture
def surveys(tmp_path: Path) -> Path:
    folder = tmp_path / "surveys"
    shutil.copytree(SURVEYS, folder)
    return folder


def test_surveys_check_refuses_a_billion_laughs_in_one_line(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(laughs(9))
    result, seconds = _section17(tmp_path, "surveys", "check", str(bomb))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [BOMB_LINE]
    assert seconds < 20  # mostly Python starting; 42 s (and 3.1 GB) before the limit


def test_surveys_check_refuses_twenty_thousand_nested_brackets_without_a_traceback(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 20_000 + "]" * 20_000 + "\n")
    result = CliRunner().invoke(surveys_group, ["check", str(deep)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.splitlines() == [DEEP_LINE]


def test_surveys_check_of_the_whole_folder_names_each_bomb(surveys):
    (surveys / "bomb.yaml").write_text(laughs(7))
    (surveys / "deep.yaml").write_text("[" * 20_000 + "]" * 20_000 + "\n")
    result = CliRunner().invoke(surveys_group, ["check"], env={"SECTION17_SURVEYS_DIR": str(surveys)})
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.splitlines() == [BOMB_LINE, DEEP_LINE]


def test_the_app_refuses_to_start_with_a_bomb_in_its_surveys_folder(tmp_path, surveys):
    (surveys / "bomb.yaml").write_text(laughs(9))
    (surveys / "deep.yaml").write_text("[" * 20_000 + "]" * 20_000 + "\n")
    result, seconds = _section17(tmp_path, "routes", SECTION17_SURVEYS_DIR=str(surveys))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Section 17 Audit cannot start: the questionnaire definitions in {surveys} "
                                    "have problems.")
    assert result.stderr.splitlines()[-2:] == [BOMB_LINE, DEEP_LINE]
    assert seconds < 20


@pytest.fixture
def officer(make_app, surveys, people):
    app = make_app(SURVEYS_DIR=str(surveys))
    web = WebClient(app.test_client())
    web.sign_in(people.cso)
    return app, web


def test_the_checklist_importer_refuses_a_bomb_posted_as_its_definition(officer, surveys):
    _, web = officer
    started = time.perf_counter()
    page = web.post("/questionnaires/import/save", {"definition": laughs(9), "source": "recs.csv"})
    assert time.perf_counter() - started < 5
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert ("The checklist is no longer valid: the imported checklist: line 7, column 25: aliases (*name) here "
            "would make the file more than 250,000 values") in text
    assert sorted(p.name for p in surveys.glob("*.yaml")) == ["small-departmental.yaml", "small-partnership.yaml",
                                                           "small-peer.yaml"]


def test_the_checklist_import_command_is_not_held_up_by_a_bomb_in_the_folder(tmp_path, surveys):
    (surveys / "bomb.yaml").write_text(laughs(9))
    result, seconds = _section17(tmp_path, "surveys", "import-checklist", str(EXAMPLE), "--id", "ours",
                                 "--title", "Ours", SECTION17_SURVEYS_DIR=str(surveys))
    assert result.returncode == 0, result.stderr
    assert "Imported 13 items in 4 sections" in result.stdout
    assert seconds < 20
