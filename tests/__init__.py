"""Tests.

Importing this package (pytest does before ``conftest.py``) lets the run keep bytecode caches
where ``PYTHONDONTWRITEBYTECODE`` is set: otherwise every xdist worker, fork server and
command-line subprocess compiles the project and rewrites every test module's assertions
again, about 3 s of CPU per process. The caches are ``__pycache__`` folders, which git ignores;
a changed source file is compiled anew as usual.
"""

import sys

sys.dont_write_bytecode = False
