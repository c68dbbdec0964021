"""Ship knowledge/ and prompts/ inside the wheel (as app/_content/), so an installed mentor runs.

The top-level folders stay the place people edit; a checkout reads them directly
(app.settings.content_dir). Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
CONTENT = ("knowledge", "prompts")


class BuildWithContent(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout's folders
            return
        for name in CONTENT:
            target = Path(self.build_lib) / "app" / "_content" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(HERE / name, target, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildWithContent})
