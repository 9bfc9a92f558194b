import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

_OWN_CACHE: list[str] = []


def pytest_configure(config) -> None:
    """Reports cache the chart libraries (itsim.report.bundle): the tests, and the command
    lines they start, share one cache of their own rather than the user's."""
    if "ITSIM_CACHE_DIR" not in os.environ:
        _OWN_CACHE.append(tempfile.mkdtemp(prefix="itsim-test-cache-"))
        os.environ["ITSIM_CACHE_DIR"] = _OWN_CACHE[0]


def pytest_unconfigure(config) -> None:
    for path in _OWN_CACHE:
        shutil.rmtree(path, ignore_errors=True)
        os.environ.pop("ITSIM_CACHE_DIR", None)
