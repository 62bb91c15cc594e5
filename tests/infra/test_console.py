"""The web console's static files: the committed bundle is the build of console/src, and the console
function serves exactly those files, with a Content-Security-Policy that keeps the page on its origin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from local.gateway import Containers
from local.template import CONSOLE_FUNCTION, ROOT, Template, load

CONSOLE = ROOT / "console"
STATIC = ROOT / "functions" / "console" / "static"


def _build_tools_or_skip() -> str:
    node = shutil.which("node")
    if node and (CONSOLE / "node_modules" / "esbuild").is_dir():
        return node
    reason = "the console's build tools are not installed: `make test` runs `npm ci` in console/ when npm exists"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def test_the_committed_bundle_is_the_build_of_the_sources(tmp_path: Path) -> None:
    node = _build_tools_or_skip()
    subprocess.run([node, "build.mjs", "--outdir", str(tmp_path)], cwd=CONSOLE, check=True, capture_output=True)
    built = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    committed = {p.name: p.read_bytes() for p in STATIC.iterdir()}
    assert sorted(built) == sorted(committed) == ["app.css", "app.js", "index.html"]
    stale = [name for name in built if built[name] != committed[name]]
    assert not stale, f"functions/console/static is not the build of console/src ({stale}): run `make console`"


def test_the_charting_library_is_pinned_by_the_lock_file() -> None:
    package = json.loads((CONSOLE / "package.json").read_text())
    lock = json.loads((CONSOLE / "package-lock.json").read_text())
    for name, version in {**package["dependencies"], **package["devDependencies"]}.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    assert "chart.js" in package["dependencies"]


def test_the_page_loads_nothing_from_elsewhere() -> None:
    for name in ("index.html", "app.css"):
        assert "://" not in (STATIC / name).read_text(), f"{name} names another origin"


def _console() -> Containers:
    return Containers(Template(load()).function(CONSOLE_FUNCTION))


def _event(resource: str, path: str, proxy: str | None = None, **headers: str) -> dict[str, Any]:
    return {
        "resource": resource,
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "pathParameters": {"proxy": proxy} if proxy is not None else None,
        "requestContext": {"requestId": "r-1", "path": f"/v1{path}", "stage": "v1"},
    }


def test_console_redirects_to_its_folder_and_serves_the_page() -> None:
    console = _console()
    moved = console.invoke(_event("/console", "/console"))
    assert moved["statusCode"] == 301 and moved["headers"]["Location"] == "console/"
    page = console.invoke(_event("/console", "/console/"))
    assert page["statusCode"] == 200
    assert page["body"] == (STATIC / "index.html").read_text()
    assert page["headers"]["Content-Type"].startswith("text/html")
    csp = page["headers"]["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "script-src 'self'" in csp
    assert page["headers"]["X-Content-Type-Options"] == "nosniff"


def test_console_serves_its_files_and_nothing_else() -> None:
    console = _console()
    script = console.invoke(_event("/console/{proxy+}", "/console/app.js", "app.js"))
    assert script["statusCode"] == 200 and script["body"] == (STATIC / "app.js").read_text()
    assert script["headers"]["Content-Type"].startswith("text/javascript")
    again = console.invoke(
        _event("/console/{proxy+}", "/console/app.js", "app.js", **{"If-None-Match": script["headers"]["ETag"]})
    )
    assert again["statusCode"] == 304 and again["body"] == ""
    for name in ("../app.py", "app.py", "static/app.js", "missing.js", ""):
        answer = console.invoke(_event("/console/{proxy+}", f"/console/{name}", name))
        assert answer["statusCode"] == 404, name
        assert json.loads(answer["body"])["code"] == "not_found"
