"""The core runs with PySide6 unavailable: only ui/ may import Qt."""

import subprocess
import sys
import textwrap


def test_core_imports_and_works_without_pyside6(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["PySide6"] = None  # any `import PySide6...` now raises ImportError
        import freelancer_desk.services, freelancer_desk.storage, freelancer_desk.domain
        import freelancer_desk.tracker, freelancer_desk.importers, freelancer_desk.app
        from freelancer_desk import cli
        code = cli.main(["--data-dir", {str(tmp_path)!r}, "client", "add", "--name", "Qt-free"])
        assert code == 0, code
        code = cli.main(["--data-dir", {str(tmp_path)!r}, "client", "list", "--json"])
        assert code == 0, code
        assert not any(name.startswith("PySide6.") for name in sys.modules), "Qt was loaded"
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert '"name": "Qt-free"' in done.stdout
