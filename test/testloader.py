"""
The formula's modules through Salt's real loader, in the test process (the ``formula_loader``
fixture of test/conftest.py makes one per session; the functional tests use it). A plain
module: ``from testloader import FormulaLoader``.
"""

from testpaths import REPO, formula_root


class FormulaLoader:
    """The formula's modules loaded in this process by Salt's real loader: ``mods`` (execution
    modules), ``states``, ``utils``, over the repository's ``_modules``, ``_states`` and
    ``_utils``; ``opts`` are the minion options they see (``opts["test"]`` switches the states
    to test mode). :py:meth:`ns` gives a module's functions as attributes."""

    def __init__(self, base):
        import salt.config
        import salt.loader

        opts = salt.config.minion_config(None, minion_id="novadocker-loader-test")
        opts.update(
            {
                "file_client": "local",
                "file_roots": {"base": [str(formula_root(base / "formula"))]},
                "module_dirs": [str(REPO / "_modules")],
                "states_dirs": [str(REPO / "_states")],
                "utils_dirs": [str(REPO / "_utils")],
                "grains_dirs": [str(REPO / "_grains")],
                "beacons_dirs": [str(REPO / "_beacons")],
                "pillar": {},
                "extension_modules": str(base / "extmods"),
                "cachedir": str(base / "cache"),
                "pki_dir": str(base / "pki"),
                "sock_dir": str(base / "sock"),
                "log_file": str(base / "minion.log"),
                "test": False,
            }
        )
        opts["grains"] = salt.loader.grains(opts)
        self.opts = opts
        self.utils = salt.loader.utils(opts)
        self.mods = salt.loader.minion_mods(opts, utils=self.utils)
        self.states = salt.loader.states(opts, self.mods, self.utils, {})

    def grain(self):
        """The ``novadocker`` grain as the minion computes it now (its grain module through
        Salt's grains loader)."""
        import salt.loader

        funcs = salt.loader.grain_funcs(self.opts)
        return funcs["novadocker.novadocker"]()["novadocker"]

    def beacons(self):
        """The beacon modules, through Salt's beacons loader (``__salt__``: :py:attr:`mods`)."""
        import salt.loader

        return salt.loader.beacons(self.opts, self.mods)

    def set_pillar(self, data):
        """Make ``data`` the pillar every loaded module sees (the same dict, changed in
        place)."""
        for loader in (self.opts, self.mods.opts):
            loader["pillar"].clear()
            loader["pillar"].update(data)
        self.mods.pack["__pillar__"] = self.mods.opts["pillar"]
        # Salt 3006.29's minion_mods packs an inner loader as the modules' __salt__, with a
        # copy of the pack: cross-module calls (__salt__["novadocker.settings"]) run there.
        inner = self.mods.pack.get("__salt__")
        if inner is not None and inner is not self.mods:
            inner.pack["__pillar__"] = self.mods.opts["pillar"]

    @property
    def test_opts(self):
        """The options the states see: set ``["test"]`` to run them in test mode."""
        return self.states.opts

    def ns(self, module, kind="mods"):
        loader = getattr(self, kind)

        class _Namespace:
            def __getattr__(self, name):
                return loader["{}.{}".format(module, name)]

        return _Namespace()
