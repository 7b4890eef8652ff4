"""Test configuration.

``SCIPY_ARRAY_API=1`` must be set before SciPy is imported for scikit-learn's
``check_array_api_input`` to run (it checks that array-API dispatch with NumPy
inputs changes nothing); without it that common check skips itself.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
