"""pip-audit over the installed Python packages (.ci/run): fails on a known vulnerability unless
pyproject.toml's [tool.iom-housing.pip-audit] documents it with a reason.

pip-audit needs a vulnerability service (the PyPI JSON API, or OSV). When it cannot reach one
every package comes back "could not be audited": that is reported loudly, with the count, and
does not fail the run, since it says nothing about the packages; the check is only as good as the
network it runs on."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    exceptions = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["iom-housing"]["pip-audit"][
        "ignore"
    ]
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--skip-editable",
    ]
    for vulnerability_id in exceptions:
        command += ["--ignore-vuln", vulnerability_id]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout, result.stderr, sep="\n")
        print("pip-audit did not run: see above.")
        return 1
    dependencies = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vulnerability in dependency["vulns"]:
            fixes = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            print(f"{dependency['name']} {dependency['version']}: {vulnerability['id']} (fixed in {fixes})")
    for vulnerability_id, reason in exceptions.items():
        print(f"accepted: {vulnerability_id}: {reason}")
    print(
        f"pip-audit: {len(audited)} packages audited, {len(dependencies) - len(audited)} not audited, {len(vulnerable)} vulnerable"
    )
    if dependencies and not audited:
        print(
            "WARNING: no vulnerability service was reachable from this machine (PyPI's JSON API or OSV), "
            "so no package was audited. Run `python scripts/audit_dependencies.py` where it is reachable."
        )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
