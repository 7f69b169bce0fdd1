"""The central API seen from the app: wire types, errors by meaning, and the one HTTP client."""

import sys
from types import ModuleType
from typing import cast

# httpx imports its command line client (click, rich, pygments: about 0.1-0.3 s at every start) whenever
# those happen to be installed, as the dev tools install them; the app never runs it. None in
# sys.modules is the import system's "cannot be imported" (typeshed does not know it): httpx then falls
# back to its stub `httpx.main`. Only this package imports httpx, so this runs before its first import.
sys.modules.setdefault("httpx._main", cast(ModuleType, None))
