"""No loader skips what is missing: every command group, demo seed and periodic job that kcb06
lists is loaded by name, and a name that does not resolve (a typo, a module moved) fails at
once instead of silently dropping a command, a seed or a job (issue #18)."""

import importlib

import pytest

from kcb06 import cli, demo, worker


@pytest.mark.parametrize("name, module_name", sorted(cli.GROUPS.items()))
def test_each_command_group_imports_and_is_registered(name, module_name):
    module = importlib.import_module(module_name)
    assert module.app is not None
    registered = {group.name for group in cli.app.registered_groups}
    assert name in registered


@pytest.mark.parametrize("module_name", demo.SEED_MODULES)
def test_each_demo_seed_imports(module_name):
    assert callable(importlib.import_module(module_name).seed)


@pytest.mark.parametrize("module_name, func_name, interval", worker.PERIODIC_JOBS)
def test_each_periodic_job_imports(module_name, func_name, interval):
    assert callable(getattr(importlib.import_module(module_name), func_name))
    assert interval > 0


def test_load_jobs_loads_every_listed_job():
    names = [name for name, _func, _interval in worker.load_jobs()]
    assert names == [f"{m}.{f}" for m, f, _i in worker.PERIODIC_JOBS]


def test_a_misspelled_job_stops_the_worker_instead_of_being_skipped(monkeypatch):
    monkeypatch.setattr(worker, "PERIODIC_JOBS", [("kcb06.interchange.jobz", "deliver", 1.0)])
    with pytest.raises(ModuleNotFoundError):
        worker.load_jobs()


def test_a_misspelled_seed_stops_the_demo_instead_of_being_skipped(monkeypatch, db):
    monkeypatch.setattr(demo, "SEED_MODULES", ["kcb06.facilities.demo", "kcb06.patients.demoo"])
    with pytest.raises(ModuleNotFoundError):
        demo.seed_all()


def test_a_misspelled_command_group_stops_the_command(monkeypatch):
    monkeypatch.setattr(cli, "GROUPS", {"xml": "kcb06.interchange.clii"})
    with pytest.raises(ModuleNotFoundError):
        cli._register_groups()
