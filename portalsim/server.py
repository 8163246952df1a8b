"""Start portalsim: migrate its own database, load fixtures, serve with threaded gunicorn."""

import os


def prepare() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "portalsim.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    from portalsim.fixtures import load_fixtures

    load_fixtures()


def serve(host: str = "127.0.0.1", port: int = 8765, threads: int = 64) -> None:
    prepare()
    from gunicorn.app.base import BaseApplication

    from portalsim.wsgi import application

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("timeout", 120)
            self.cfg.set("accesslog", None)
            self.cfg.set("loglevel", "warning")

        def load(self):
            return application

    _App().run()
