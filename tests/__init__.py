"""The test suite is a package so `from tests.helpers... import ...` works under `pytest` and `python -m pytest`."""
