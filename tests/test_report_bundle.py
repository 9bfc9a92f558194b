"""The chart libraries the report inlines: built once per installed version, cached, checked."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from itsim.report import bundle


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache directory of this test's own, and a list of the bundles built (a stand-in
    for vl_convert's, which takes seconds)."""
    import vl_convert

    monkeypatch.setenv(bundle.CACHE_ENV, str(tmp_path / "cache"))
    builds: list[str] = []

    def counted(vl_version=None, snippet=None):
        builds.append(vl_version)
        return "window.vegaEmbed=function(){};/* " + str(vl_version) + " */"

    monkeypatch.setattr(vl_convert, "javascript_bundle", counted)
    bundle.javascript_bundle.cache_clear()
    yield tmp_path / "cache", builds
    bundle.javascript_bundle.cache_clear()


def entries(directory: Path) -> list[Path]:
    return sorted(directory.iterdir()) if directory.exists() else []


def test_the_bundle_is_built_once_then_read_from_the_cache(cache):
    directory, builds = cache
    first = bundle.javascript_bundle()
    bundle.javascript_bundle.cache_clear()  # as a new process would
    assert bundle.javascript_bundle() == first
    assert len(builds) == 1
    [entry] = entries(directory)
    assert entry.name.startswith("vega-bundle-") and entry.name.endswith(f"-{builds[0]}.js")


def test_a_damaged_cache_entry_is_built_again_and_replaced(cache):
    directory, builds = cache
    good = bundle.javascript_bundle()
    [entry] = entries(directory)
    sound = entry.read_bytes()
    for damage in (sound[:-5], b"", b"\xff\xfe not UTF-8", sound.replace(b"vegaEmbed", b"vegaEmbeb")):
        entry.write_bytes(damage)
        bundle.javascript_bundle.cache_clear()
        assert bundle.javascript_bundle() == good
        assert bundle.read_cached(entry) == good, "the entry was rewritten"
    assert len(builds) == 5


def test_writers_at_the_same_time_leave_one_sound_entry_and_no_temporary_files(cache):
    directory, _ = cache
    path = directory / "vega-bundle-test.js"
    text = "x" * 200_000
    threads = [threading.Thread(target=bundle.write_cached, args=(path, text)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bundle.read_cached(path) == text
    assert entries(directory) == [path]


def test_an_unwritable_cache_still_gives_the_bundle(cache, monkeypatch, caplog):
    directory, builds = cache
    directory.parent.mkdir(exist_ok=True)
    blocker = directory.parent / "a file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(bundle.CACHE_ENV, str(blocker / "cache"))
    assert "vegaEmbed" in bundle.javascript_bundle()
    assert "could not cache the chart libraries" in caplog.text
    assert len(builds) == 1


def test_cache_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(bundle.CACHE_ENV, str(tmp_path / "mine"))
    assert bundle.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(bundle.CACHE_ENV)
    monkeypatch.setattr(bundle.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert bundle.cache_dir() == tmp_path / "xdg" / "itsim"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert bundle.cache_dir() == Path.home() / ".cache" / "itsim"


def test_the_real_bundle_is_cached_with_its_checksum():
    """The bundle as the report uses it, from the tests' own cache (tests/conftest.py)."""
    bundle.javascript_bundle.cache_clear()
    text = bundle.javascript_bundle()
    assert "vegaEmbed" in text and len(text) > 100_000
    cached = [p for p in entries(Path(os.environ[bundle.CACHE_ENV])) if p.name.startswith("vega-bundle-")]
    assert cached and any(bundle.read_cached(p) == text for p in cached)
