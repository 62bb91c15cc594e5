"""Annex shared layer: configuration, errors, HTTP wiring, models, domain rules and DynamoDB access.

In Lambda's init (``AWS_LAMBDA_INITIALIZATION_TYPE`` set), the cyclic garbage collector pauses from
Annex's first import until the function's entry point is built, which freezes what init built and
resumes it (``annex.snapstart.end_init``): init creates modules, classes and routes that live as
long as the container, and one full collection of them in the middle of init cost about as much as
all of Annex's own imports.
"""

import gc as _gc
import os as _os

if _os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE"):
    _gc.disable()
