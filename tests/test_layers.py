"""The apps' dependency order is enforced: import-linter's contracts (pyproject.toml) hold for
the code as it is, and fail as soon as a lower app imports a higher one."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "councilflow",
    "staff",
    "demo",
    "records",
    "analysis",
    "improvement",
    "open311",
    "progress",
    "demand",
    "messaging",
    "cases",
    "accounts",
    "lib",
]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the project's packages and its import-linter configuration."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_its_layers(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "reverse_import"),
    [
        ("cases/models.py", "from demand.models import Contact"),
        ("demand/services.py", "from analysis import capability"),
        ("lib/forms.py", "from cases.models import Case"),
        ("improvement/models.py", "import records.retention"),
        ("accounts/roles.py", "from staff import two_factor"),
        ("demand/arrivals.py", "from open311 import services"),
        ("messaging/selectors.py", "from demand.models import Contact"),
        ("cases/services.py", "from messaging import codes"),
        ("open311/selectors.py", "from progress import views"),
    ],
)
def test_a_reverse_import_breaks_the_build(tree, module, reverse_import):
    path = tree / module
    path.write_text(path.read_text() + f"\n{reverse_import}  # noqa\n")

    result = lint(tree)

    assert result.returncode != 0
    assert "Apps import only the apps below them BROKEN" in result.stdout


def test_django_in_the_xmr_maths_breaks_the_build(tree):
    path = tree / "analysis" / "spc.py"
    path.write_text(path.read_text() + "\nfrom django.utils import timezone  # noqa\n")

    result = lint(tree)

    assert result.returncode != 0
    assert "The XmR maths is plain Python, tested with plain numbers BROKEN" in result.stdout


def test_django_in_the_verdicts_breaks_the_build(tree):
    path = tree / "analysis" / "verdicts.py"
    path.write_text(path.read_text() + "\nfrom django.utils import timezone  # noqa\n")

    result = lint(tree)

    assert result.returncode != 0
    assert 'The verdicts of "did it work?" are plain Python' in result.stdout
    assert "analysis.verdicts -> django" in result.stdout
