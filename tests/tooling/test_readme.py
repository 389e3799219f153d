"""The README's links and images point at files the repository holds."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Markdown links and images whose target is a path in the repository (not a URL or an anchor).
LOCAL_TARGET = re.compile(r"!?\[[^\]]*\]\((?!https?://|mailto:|#)([^)\s]+)\)")


def test_every_file_the_readme_links_or_shows_is_in_the_repository():
    for document in ["README.md", "CHANGELOG.md", "bench/README.md"]:
        text = (ROOT / document).read_text()
        targets = LOCAL_TARGET.findall(text)
        missing = [t for t in targets if not (ROOT / document).parent.joinpath(t.split("#")[0]).exists()]
        assert not missing, f"{document} links to files that are not in the repository: {missing}"


def test_the_readme_shows_its_screenshots():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", (ROOT / "README.md").read_text())
    assert images, "the README shows no screenshot"
