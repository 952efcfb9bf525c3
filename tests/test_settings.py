"""Settings come from the environment; production refuses to start without a SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_manage(env_overrides, "check", *args)


def run_manage(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    test_only = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "SECURE_SSL_REDIRECT", "TESTING_STATIC"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_check({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_commands_that_sign_nothing_run_without_secret_key():
    # a fresh checkout: no .env, DEBUG off, no key
    result = run_manage({"DEBUG": "false"}, "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_commands_that_touch_data_still_refuse_without_secret_key():
    result = run_manage({"DEBUG": "false"}, "migrate", "--plan")
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_debug_mode_starts_without_secret_key():
    assert run_check({"DEBUG": "true"}).returncode == 0


def test_check_deploy_is_clean_with_production_values():
    result = run_check(
        {
            "DEBUG": "false",
            "SECRET_KEY": "a-very-long-random-production-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "pug.example.go.id",
            # several gunicorn workers share one cache (babel_pug.W001 otherwise)
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_language_timezone_and_database_defaults(settings):
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert [code for code, _ in settings.LANGUAGES] == ["id", "en"]
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert settings.IMPORT_EXPORT_IMPORT_PERMISSION_CODE
    assert settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE


def test_dotenv_file_fills_only_what_the_environment_lacks(tmp_path, monkeypatch):
    from babel_pug.settings import load_dotenv

    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nBABEL_X=from-file\nBABEL_Y='quoted'\nnot a line\n")
    monkeypatch.setenv("BABEL_X", "from-environment")
    monkeypatch.delenv("BABEL_Y", raising=False)
    load_dotenv(env_file)
    assert os.environ["BABEL_X"] == "from-environment"
    assert os.environ["BABEL_Y"] == "quoted"
    monkeypatch.delenv("BABEL_Y")
    load_dotenv(tmp_path / "missing.env")
    assert "BABEL_Y" not in os.environ


def test_each_gunicorn_worker_freezes_what_it_loaded_out_of_the_collectors_reach():
    import gc
    import runpy
    from types import SimpleNamespace

    conf = runpy.run_path(str(ROOT / "babel_pug" / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        conf["post_worker_init"](worker=None)
        # the portal's modules and models: no full collection walks them again
        frozen = gc.get_freeze_count()
        assert frozen > 10_000

        loaded_lazily = [[n] for n in range(1000)]  # what a first request loads (templates…)
        conf["post_request"](SimpleNamespace(nr=1), None, None, None)
        assert gc.get_freeze_count() >= frozen + len(loaded_lazily)

        later = [[n] for n in range(1000)]
        after_fifty = gc.get_freeze_count()
        conf["post_request"](SimpleNamespace(nr=51), None, None, None)
        assert gc.get_freeze_count() == after_fifty  # later requests are collected as usual
        del loaded_lazily, later
    finally:
        gc.unfreeze()
