"""Build hook: compiles the NLP step's hot modules (nlp/compiled.py lists them) to C with mypyc.

Everything else about the distribution is in pyproject.toml. ``LYDHOR_PURE_PYTHON=1`` at install time
builds without compiling; so does a machine without a C compiler or Python's headers (the build warns
and goes on). The modules then run as plain Python, at a bit more than half the speed.
"""

import os
import runpy

from setuptools import setup


def _ext_modules() -> list:
    if os.environ.get("LYDHOR_PURE_PYTHON"):
        return []
    from mypyc.build import mypycify

    build = runpy.run_path(os.path.join("nlp", "compiled.py"))
    build["write_sums"]()
    extensions = mypycify([f"nlp/{name}.py" for name in build["COMPILED"]], opt_level="3", group_name="nlp_compiled")
    for extension in extensions:
        extension.optional = True  # no compiler: install the plain modules rather than fail
    return extensions


setup(ext_modules=_ext_modules())
