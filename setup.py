"""Build hook: compiles the NLP step's hot modules (nlp/compiled.py lists them) to C with mypyc.

Everything else about the distribution is in pyproject.toml. ``LYDHOR_PURE_PYTHON=1`` at install time
builds without compiling; the modules then run as plain Python, about 40 % slower.
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
    return mypycify([f"nlp/{name}.py" for name in build["COMPILED"]], opt_level="3", group_name="nlp_compiled")


setup(ext_modules=_ext_modules())
